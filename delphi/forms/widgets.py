"""GOV.UK widgets that govuk-frontend-wtf does not provide ready-made."""

from govuk_frontend_wtf.wtforms_widgets import GovTextInput


class GovEmailInput(GovTextInput):
    """A GOV.UK text input of ``type="email"``: phones show an e-mail keyboard."""

    input_type = "email"
