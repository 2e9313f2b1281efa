-- Code-Point Open's area files as published: ten text columns, no header, Latin-1, and the file each
-- row came from (its place in $files). The health region codes (rh, lh) are not read.
SELECT file_index::BIGINT AS file_index, pc, pq, ea, no, cy, cc, dc, wc
FROM read_csv($files, header = false, all_varchar = true, auto_detect = false,
              delim = ',', quote = '"', escape = '"', encoding = 'latin-1',
              columns = {'pc': 'VARCHAR', 'pq': 'VARCHAR', 'ea': 'VARCHAR', 'no': 'VARCHAR', 'cy': 'VARCHAR',
                         'rh': 'VARCHAR', 'lh': 'VARCHAR', 'cc': 'VARCHAR', 'dc': 'VARCHAR', 'wc': 'VARCHAR'})
