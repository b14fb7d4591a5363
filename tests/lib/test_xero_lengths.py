from xero.lengths import CONTACT, PHONE, fit


def test_fit_cuts_to_xeros_lengths_and_leaves_a_long_email_out():
    values = fit({"Name": "n" * 300, "TaxNumber": "GB 123 " + "4" * 60, "EmailAddress": "e" * 256, "Other": "x" * 999},
                 CONTACT)
    assert len(values["Name"]) == 255
    assert len(values["TaxNumber"]) == 50
    assert "EmailAddress" not in values
    assert values["Other"] == "x" * 999  # fields Xero does not limit are sent as they are
    assert fit({"PhoneNumber": "1 2 3" + " " * 60}, PHONE) == {"PhoneNumber": "1 2 3"}
    assert fit({"EmailAddress": "ok@example.com"}, CONTACT) == {"EmailAddress": "ok@example.com"}
