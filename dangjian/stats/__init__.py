"""党内统计 as of any date (`dangjian stats`, the 统计 page): computed from the dated records, no models of its own."""
