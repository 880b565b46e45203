"""What the marts say, for people: tables for the terminal and charts as PNG files."""
