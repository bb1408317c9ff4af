"""Database tables. Importing this package registers every model with the metadata."""

from .accounts import Role, StudyMembership, User
from .api import ApiToken
from .charts import ChartCache
from .documents import ConsentRecord, Document, DocumentKind, DocumentVersion
from .items import Item, ItemLink, ItemStatus, ItemVersion, LinkKind, ResponseType
from .participants import (
    Invitation,
    OpenLink,
    Participant,
    ParticipantContact,
    ParticipantSource,
    ParticipantStatus,
    RegistrationAttempt,
)
from .priorities import ChnriAnswer, ChnriAnswerValue, ChnriCriterion, ChnriQuestion, Shortlist
from .records import (
    AuditEvent,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    ResultSnapshot,
)
from .responses import Answer, AnswerSource, Comment, ModerationState, Ranking, Suggestion
from .rounds import (
    ItemDecision,
    Round,
    RoundItem,
    RoundKind,
    RoundParticipation,
    RoundState,
    ScheduledReminder,
)
from .staff import StaffInvitation
from .study import (
    CarryForwardPolicy,
    ConsensusRule,
    Dimension,
    ProtocolDeviation,
    RatingScale,
    RuleRole,
    StakeholderGroup,
    Study,
    StudyKind,
    StudyStatus,
    WithdrawalPolicy,
)
from .types import UTCDateTime, utcnow

__all__ = [
    "Answer",
    "AnswerSource",
    "ApiToken",
    "AuditEvent",
    "CarryForwardPolicy",
    "ChnriAnswer",
    "ChnriAnswerValue",
    "ChnriCriterion",
    "ChnriQuestion",
    "ChartCache",
    "Comment",
    "ConsensusRule",
    "ConsentRecord",
    "Dimension",
    "Document",
    "DocumentKind",
    "DocumentVersion",
    "Invitation",
    "ItemDecision",
    "Item",
    "ItemLink",
    "ItemStatus",
    "ItemVersion",
    "LinkKind",
    "MessageKind",
    "ModerationState",
    "OpenLink",
    "OutboxMessage",
    "OutboxStatus",
    "Participant",
    "ParticipantContact",
    "ParticipantSource",
    "ParticipantStatus",
    "ProtocolDeviation",
    "Ranking",
    "RegistrationAttempt",
    "RatingScale",
    "ResponseType",
    "ResultSnapshot",
    "Role",
    "Round",
    "RoundItem",
    "RoundKind",
    "RoundParticipation",
    "RoundState",
    "RuleRole",
    "ScheduledReminder",
    "Shortlist",
    "StaffInvitation",
    "StakeholderGroup",
    "Study",
    "StudyKind",
    "StudyMembership",
    "StudyStatus",
    "Suggestion",
    "User",
    "UTCDateTime",
    "utcnow",
    "WithdrawalPolicy",
]
