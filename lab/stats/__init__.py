"""Submit statistics: counted as results are stored, read by the dashboard, repaired
from the submissions."""
