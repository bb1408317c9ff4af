"""WTForms forms rendered with GOV.UK widgets; they check shape and range, never the database."""
