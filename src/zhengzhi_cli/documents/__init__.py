"""公文 (official documents, GB/T 9704-2012) that the campaign office issues: the content a
document says (built from the domain's results) and the .docx files it is written as.

gongwen.py lays out any 公文 and knows no database; bulletin.py turns a composed 通报 into one;
template.py fills an office's own .docx template with the same content.
"""
