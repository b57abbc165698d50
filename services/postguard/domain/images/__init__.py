"""Screening image attachments (issue 10): decode the bytes, read their metadata, read burned-in text,
find faces, and make a redacted copy. Pure domain code: Pillow, pillow-heif, pydicom, numpy, OpenCV and
Tesseract (through pytesseract), no transport."""
