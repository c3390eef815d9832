"""Fees of a commune (học phí, điện, nước, lệ phí, viện phí): fee types, invoices per household, VietQR."""
