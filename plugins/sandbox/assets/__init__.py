"""Files the sandbox serves as they are: page templates, page scripts, styles and MP4 clips.

A package (rather than a plain folder) so the ``*.js``/``*.html``/``*.css``/``*.mp4`` package-data
globs of pyproject.toml ship them in the wheel.
"""
