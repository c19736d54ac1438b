"""Excel in and out: safe opening, one column spec per sheet, readers and writers."""
