/*
 * libFuzzer harness for the CSV reader (src/csv.c).
 *
 * The first input byte picks the delimiter and the chunk size; the rest is
 * the CSV.  The input is parsed twice, whole and in chunks, and both runs
 * must give the same records or the same error at the same line.  Field
 * lengths must fit in the input and agree with strlen (no NUL may pass).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

static uint64_t
run(const char *data, size_t len, char delim, size_t chunk, long *records)
{
	CsvReader  *r = csv_reader_create(delim, NULL);
	uint64_t	h = 1469598103934665603ULL;
	size_t		off = 0;
	int			done = 0;

	*records = 0;
	if (r == NULL)
		abort();
	csv_reader_set_max_record(r, 2048);
	while (!done)
	{
		const CsvField *f;
		int			n;
		CsvResult	res;

		if (off < len)
		{
			size_t		k = len - off < chunk ? len - off : chunk;

			if (csv_reader_feed(r, data + off, k) != 0)
				abort();
			off += k;
		}
		else
			csv_reader_finish(r);

		while ((res = csv_reader_next(r, &f, &n)) == CSV_RECORD)
		{
			(*records)++;
			h = mix(h, &n, sizeof(n));
			for (int i = 0; i < n; i++)
			{
				if (f[i].len > len || strlen(f[i].data) != f[i].len)
					abort();
				h = mix(h, f[i].data, f[i].len);
				h = mix(h, &f[i].quoted, sizeof(int));
			}
		}
		if (res == CSV_ERROR)
		{
			long		line = csv_reader_record_line(r);

			h = mix(h, "E", 1);
			h = mix(h, &line, sizeof(line));
			h = mix(h, csv_reader_error(r), strlen(csv_reader_error(r)));
			done = 1;
		}
		else if (res == CSV_EOF)
			done = 1;
	}
	csv_reader_destroy(r);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = {',', ';', '\t', '|', 'x', ' '};
	char		delim;
	size_t		chunk;
	long		r1,
				r2;

	if (size < 1)
		return 0;
	delim = delims[data[0] % sizeof(delims)];
	chunk = 1 + (data[0] >> 3);
	if (run((const char *) data + 1, size - 1, delim, size, &r1) !=
		run((const char *) data + 1, size - 1, delim, chunk, &r2) || r1 != r2)
		abort();
	return 0;
}
