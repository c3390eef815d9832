"""Administrative procedures (thủ tục hành chính) and residents' applications: the one-stop shop."""
