"""Tables, charts and reports: the terminal, offline HTML, CSV/XLSX."""
