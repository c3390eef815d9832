"""Villages and hamlets (thôn, bản, tổ dân phố) of a commune."""
