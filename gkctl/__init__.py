"""gkctl: track a government open-affairs work plan (政务公开工作要点) task by task."""

__version__ = "0.1.0"
