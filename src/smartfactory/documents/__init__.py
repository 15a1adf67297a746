"""Official documents as real files: PDF (WeasyPrint, Chinese fonts embedded) and XLSX (xlsxwriter).

``pdf.render_pdf`` and ``xlsx.write_table`` build the bytes; ``responses`` sends them to a browser.
No models: what a document records (hash, verification code) belongs to the feature that issues it.
"""
