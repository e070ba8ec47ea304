"""ETL: operational exports (CSV/XLSX, Chinese headers, GBK or UTF-8) into the warehouse."""
