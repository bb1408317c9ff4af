"""The words of the JLA-style demo (:mod:`.demo_priorities`): made up for the demo.

No real priority setting partnership's questions or results are used; the evidence notes
name no real review.
"""

from __future__ import annotations

TITLE = "Research priorities for living with long-term breathlessness (demo)"
SUMMARY = (
    "Which unanswered questions about living with long-term breathlessness matter most to "
    "patients, carers and the health and care professionals who support them? This demo "
    "partnership gathered questions in an open survey, checked them against the research, "
    "asked people to rank them, and agreed a top 10 at a final workshop."
)

# name, target number, people taking part
GROUPS = (
    ("Patients", 30, 36),
    ("Carers", 15, 18),
    ("Health and care professionals", 25, 26),
)

#: The first survey's open questions (round 1), each answered in a respondent's own words.
OPEN_QUESTIONS = (
    "What questions about the diagnosis or treatment of long-term breathlessness would you "
    "like research to answer?",
    "What questions about managing breathlessness, or about the services and support on "
    "offer, would you like research to answer?",
    "What questions about living with breathlessness, or caring for someone who has it, "
    "would you like research to answer?",
)
OPEN_QUESTIONS_DOMAIN = "First survey"

#: How each group's submitters describe themselves.
RESPONDENT_TYPES = ("Patient", "Carer", "Health or care professional")

ORGANISATION = "North Vale Breathe Easy group (demo charity)"

#: The evidence check's note for each status (EvidenceStatus values).
ANSWERED_NOTE = ("Demo note: answered by trials pooled in a systematic review (made up for "
                 "this demo).")
PARTLY_NOTE = ("Demo note: a systematic review (made up for this demo) found small trials; "
               "longer and larger studies are needed.")
UNANSWERED_NOTE = "Demo note: no systematic review or ongoing trial found."
NOTES = {"answered": ANSWERED_NOTE, "partly_answered": PARTLY_NOTE,
         "unanswered": UNANSWERED_NOTE}

# (domain, indicative question, one submission in a respondent's own words, what the
# evidence check found (an EvidenceStatus value), appeal to patients, carers and
# professionals from 1 to 5)
QUESTIONS = (
    ("Diagnosis and assessment",
     "What is the best way to find the cause of breathlessness quickly when several "
     "conditions could explain it?",
     "It took two years and four clinics to find out why I was out of breath. Why so long?",
     "unanswered", "544"),
    ("Diagnosis and assessment",
     "Does early assessment by a specialist breathlessness service improve quality of life "
     "compared with usual care?",
     "Would seeing a breathlessness team early on have helped me more than waiting?",
     "unanswered", "443"),
    ("Diagnosis and assessment",
     "How can breathlessness be measured in a way that reflects what matters to patients in "
     "daily life?",
     "The scores they use in clinic do not show how bad my days really are.",
     "unanswered", "324"),
    ("Diagnosis and assessment",
     "Which simple tests in general practice best identify people whose breathlessness needs "
     "urgent investigation?",
     "Which quick checks in general practice tell us who needs to be seen urgently?",
     "unanswered", "225"),
    ("Diagnosis and assessment",
     "Can a simple test tell whether breathlessness comes from the heart or the lungs?",
     "How do doctors know if my breathlessness is my heart or my lungs?",
     "unanswered", "334"),
    ("Treatment and medicines",
     "Do low-dose opioids safely reduce long-term breathlessness, and for whom?",
     "Is morphine safe to take for breathlessness, and does it actually help?",
     "partly_answered", "435"),
    ("Treatment and medicines",
     "Does a handheld fan reduce the feeling of breathlessness during daily activities?",
     "Does blowing air on your face with a fan really help?",
     "answered", "332"),
    ("Treatment and medicines",
     "Which inhaler devices work best for people who are very breathless?",
     "I can hardly breathe in hard enough to use my inhaler. Is there a better one?",
     "unanswered", "423"),
    ("Treatment and medicines",
     "Does oxygen at home reduce breathlessness in people whose oxygen levels are normal?",
     "Should I have oxygen at home even though my oxygen levels are fine?",
     "answered", "332"),
    ("Treatment and medicines",
     "What is the safest way to reduce or stop medicines that may make breathlessness worse?",
     "Could some of my tablets be making my breathing worse?",
     "unanswered", "334"),
    ("Treatment and medicines",
     "Do anti-anxiety medicines help during breathlessness crises, and what are the risks?",
     "Would something for anxiety help when a bad attack of breathlessness starts?",
     "partly_answered", "443"),
    ("Treatment and medicines",
     "Does acupuncture reduce long-term breathlessness?",
     "Would acupuncture help my breathing?",
     "unanswered", "321"),
    ("Self-management",
     "Which breathing techniques help most during an episode of severe breathlessness?",
     "What is the best way to breathe when I feel I am suffocating?",
     "partly_answered", "544"),
    ("Self-management",
     "Does pulmonary rehabilitation delivered at home work as well as rehabilitation in a "
     "clinic?",
     "I cannot get to the rehab classes. Would doing them at home work as well?",
     "partly_answered", "435"),
    ("Self-management",
     "How can people keep up exercise after pulmonary rehabilitation ends?",
     "After the rehab course ended I stopped exercising. What would help me keep going?",
     "unanswered", "344"),
    ("Self-management",
     "Do singing or wind-instrument groups improve breathlessness and wellbeing?",
     "Does singing in a choir help your breathing?",
     "unanswered", "322"),
    ("Self-management",
     "Which apps or online tools help people manage breathlessness at home?",
     "Are there any apps that actually help with breathlessness?",
     "unanswered", "223"),
    ("Self-management",
     "Does a wheeled walking aid with a seat help people with breathlessness walk further?",
     "Would a walker with a seat help me get to the shops?",
     "unanswered", "432"),
    ("Self-management",
     "Does stopping smoking reduce breathlessness, whatever a person's age?",
     "Is it too late to stop smoking at 70 if you are already breathless?",
     "answered", "223"),
    ("Self-management",
     "What helps people with breathlessness sleep better and manage breathlessness at night?",
     "Nights are the worst. What helps with breathlessness when lying down?",
     "unanswered", "543"),
    ("Services and support",
     "How can urgent care be organised so that people in a breathlessness crisis can avoid "
     "going to hospital?",
     "Every time I panic about my breathing I end up in A&E. Is there another way?",
     "unanswered", "455"),
    ("Services and support",
     "What is the best way to coordinate care between lung, heart and mental health services "
     "for people with breathlessness?",
     "I see three different teams and none of them talk to each other.",
     "unanswered", "345"),
    ("Services and support",
     "Do written breathlessness action plans reduce emergency admissions?",
     "Would a written plan of what to do in a crisis keep people out of hospital?",
     "partly_answered", "234"),
    ("Services and support",
     "How can people in deprived areas and from minority ethnic groups get fair access to "
     "breathlessness services?",
     "People round here never get offered the services that other areas have.",
     "unanswered", "325"),
    ("Services and support",
     "Does palliative care offered early improve life for people with long-term "
     "breathlessness?",
     "Should palliative care be offered earlier, not just at the very end?",
     "partly_answered", "344"),
    ("Services and support",
     "What training do health and care staff need to support people with breathlessness "
     "well?",
     "Staff on the ward did not seem to know how to help me when I was breathless.",
     "unanswered", "325"),
    ("Services and support",
     "Do home visits by community nurses or therapists reduce hospital stays for "
     "breathlessness?",
     "Would visits at home from a nurse mean fewer stays in hospital?",
     "unanswered", "344"),
    ("Services and support",
     "Does having a named key worker improve care for people with long-term breathlessness?",
     "I would like one person to call who knows my whole story.",
     "unanswered", "443"),
    ("Living with breathlessness",
     "How can the anxiety and panic that come with breathlessness be treated best?",
     "The panic is as bad as the breathlessness. What can be done about it?",
     "unanswered", "553"),
    ("Living with breathlessness",
     "What helps people with breathlessness stay in work or return to work?",
     "I had to give up work because of my breathing. Could anything have helped me stay?",
     "unanswered", "322"),
    ("Living with breathlessness",
     "How can the loneliness and isolation caused by breathlessness be reduced?",
     "I hardly go out any more and feel very cut off.",
     "unanswered", "552"),
    ("Living with breathlessness",
     "How does breathlessness affect sex and relationships, and what helps?",
     "Nobody talks about how breathlessness affects your relationship.",
     "unanswered", "332"),
    ("Living with breathlessness",
     "What helps people with breathlessness keep doing the everyday activities that matter "
     "to them, such as shopping and washing?",
     "I want to be able to wash and dress myself without stopping every minute.",
     "unanswered", "543"),
    ("Living with breathlessness",
     "How can people with breathlessness cope better with hot weather and air pollution?",
     "Hot days and traffic fumes make my breathing much worse. What can I do?",
     "unanswered", "322"),
    ("Living with breathlessness",
     "Does treating depression improve breathlessness and daily activity?",
     "If my low mood was treated, would my breathing improve too?",
     "unanswered", "334"),
    ("Carers and family",
     "What support do family carers of people with breathlessness need to look after their "
     "own health?",
     "Who looks after the carer? I am exhausted.",
     "unanswered", "151"),
    ("Carers and family",
     "How can carers best be taught to help during a breathlessness crisis?",
     "When my wife cannot breathe I do not know what to do.",
     "unanswered", "452"),
    ("Carers and family",
     "How should health professionals talk about the future and end-of-life care with people "
     "with long-term breathlessness and their families?",
     "Nobody has ever talked to us about what happens later on.",
     "unanswered", "345"),
    ("Carers and family",
     "What information do families need when someone is first told they have a condition "
     "that causes long-term breathlessness?",
     "We were given a leaflet and sent home. We needed much more than that.",
     "unanswered", "442"),
    ("Carers and family",
     "How can children and young people be supported when someone in their family has "
     "long-term breathlessness?",
     "My grandchildren get frightened when I cannot breathe.",
     "unanswered", "241"),
)

#: Openings that turn one submission into another respondent's version of it.
DUPLICATE_OPENINGS = {
    "Patient": ("", "I would like to know this: ", "My question is: "),
    "Carer": ("As a carer: ", "My husband is breathless all the time. ",
              "Caring for my mum, I often wonder: "),
    "Health or care professional": ("In clinic we often ask: ", "As a nurse I would like to know: ",
                            "From a GP: "),
    "Organisation": ("Our members ask: ", "Many of our members want to know: "),
}

# (submission, why it is out of scope)
OUT_OF_SCOPE = (
    ("Why is hospital car parking so expensive?",
     "About parking charges, not a question for research."),
    ("Can my GP practice offer appointments on Saturdays?",
     "A request about one local service, not a question for research."),
    ("Is there a cure for lung cancer yet?",
     "About cancer treatment, which is outside this partnership's scope."),
    ("How do I apply for a blue badge?",
     "Asks for advice, not a question for research; the group sent a link to advice."),
    ("Why did the hospital lose my test results?",
     "A complaint about one service; passed on to that service."),
    ("What causes asthma in young children?",
     "About children; this partnership covers adults."),
    ("When will the new chest ward open in our town?",
     "A local question, not a question for research."),
    ("Thank you to the nurses at the chest clinic for all their help.",
     "Not a question."),
)

#: Words from the indicative questions the demo organisation's two members asked about.
ORGANISATION_QUESTIONS = ("urgent care", "urgent care", "anxiety and panic", "loneliness",
                          "taught to help")

SHORTLIST_SESSIONS = (
    ("Morning small groups", ("Red group", "Blue group", "Green group", "Yellow group"),
     ("2 patients, 2 carers, 3 professionals", "3 patients, 1 carer, 3 professionals",
      "2 patients, 2 carers, 2 professionals", "2 patients, 1 carer, 3 professionals")),
    ("Afternoon small groups", ("Oak group", "Ash group", "Elm group", "Birch group"),
     ("2 patients, 2 carers, 3 professionals", "2 patients, 2 carers, 2 professionals",
      "3 patients, 1 carer, 3 professionals", "2 patients, 1 carer, 3 professionals")),
)

TIE_REASON = ("Two questions tied for 10th place. After discussion the room voted 15 to 9 "
              "to put “{winner}” in the top 10.")
