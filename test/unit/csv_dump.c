/*
 * csv_dump [-d DELIM] FILE
 *
 * Prints each record of a CSV file in PostgreSQL's COPY text format (fields
 * separated by TAB, an unquoted empty field as \N, backslash, TAB, LF and
 * CR escaped), so it can be diffed against COPY ... TO STDOUT.  The file is
 * fed in small chunks to exercise the incremental reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

static void
put_field(const CsvField *f)
{
	if (f->len == 0 && !f->quoted)
	{
		fputs("\\N", stdout);
		return;
	}
	for (size_t i = 0; i < f->len; i++)
	{
		char		c = f->data[i];

		switch (c)
		{
			case '\\':
				fputs("\\\\", stdout);
				break;
			case '\t':
				fputs("\\t", stdout);
				break;
			case '\n':
				fputs("\\n", stdout);
				break;
			case '\r':
				fputs("\\r", stdout);
				break;
			default:
				putchar(c);
		}
	}
}

static int
drain(CsvReader *r)
{
	const CsvField *fields;
	int			n;
	CsvResult	res;

	while ((res = csv_reader_next(r, &fields, &n)) == CSV_RECORD)
	{
		for (int i = 0; i < n; i++)
		{
			if (i > 0)
				putchar('\t');
			put_field(&fields[i]);
		}
		putchar('\n');
	}
	if (res == CSV_ERROR)
	{
		fprintf(stderr, "error: line %ld: %s\n", csv_reader_record_line(r),
				csv_reader_error(r));
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char		delim = ',';
	const char *path;
	FILE	   *f;
	char		chunk[7];
	size_t		n;
	CsvReader  *r;

	if (argc == 4 && strcmp(argv[1], "-d") == 0)
	{
		delim = strcmp(argv[2], "\\t") == 0 ? '\t' : argv[2][0];
		path = argv[3];
	}
	else if (argc == 2)
		path = argv[1];
	else
	{
		fprintf(stderr, "usage: csv_dump [-d DELIM] FILE\n");
		return 2;
	}
	f = fopen(path, "rb");
	if (f == NULL)
	{
		perror(path);
		return 2;
	}
	r = csv_reader_create(delim, NULL);
	if (r == NULL)
		return 2;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
	{
		if (csv_reader_feed(r, chunk, n) != 0 || drain(r) != 0)
			return 1;
	}
	fclose(f);
	csv_reader_finish(r);
	if (drain(r) != 0)
		return 1;
	csv_reader_destroy(r);
	return 0;
}
