/*-------------------------------------------------------------------------
 *
 * depsort.c
 *	  The order in which sqlflow_database_sql writes views and routines:
 *	  each object's level in the graph of what reads what.
 *
 * Objects are numbered 1..n; an edge says that object reader[k] reads
 * object readobj[k].  An object that reads nothing in the graph is at level
 * 0, any other one level above the highest object it reads, so sorting by
 * level puts every object after everything it reads.  Kahn's algorithm:
 * linear in objects and edges, which a recursive query is not (it visits
 * an object once per distinct path length below it).
 *
 * PostgreSQL can be led into a cycle (CREATE OR REPLACE of a view or a
 * BEGIN ATOMIC routine that something it reads already reads).  When no
 * object is left whose reads are all placed, the lowest-numbered object
 * left is placed above everything placed so far and the walk goes on: the
 * objects of the cycle come in number order, and everything above it
 * still comes after it.
 *
 * What it must not do: use SPI or the catalogs (the caller hands it the
 * graph), or recurse.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "depsort.h"

int *
sqlflow_dependency_levels(int n, const int *reader, const int *readobj, int nedges)
{
	int		   *level = palloc0(sizeof(int) * (n + 1));
	int		   *waiting = palloc0(sizeof(int) * (n + 1));	/* unplaced reads */
	int		   *first = palloc0(sizeof(int) * (n + 2));	/* readers of j: */
	int		   *readers = palloc(sizeof(int) * Max(nedges, 1));	/* first[j].. */
	int		   *queue = palloc(sizeof(int) * (n + 1));
	bool	   *placed = palloc0(sizeof(bool) * (n + 1));
	int			head = 0;
	int			tail = 0;
	int			nplaced = 0;
	int			top = 0;		/* the highest level given so far */
	int			next_stuck = 1;

	/* the readers of each object, grouped by the object read (counting sort) */
	for (int k = 0; k < nedges; k++)
	{
		waiting[reader[k]]++;
		first[readobj[k] + 1]++;
	}
	for (int j = 1; j <= n + 1; j++)
		first[j] += first[j - 1];
	{
		int		   *fill = palloc(sizeof(int) * (n + 1));

		memcpy(fill, first, sizeof(int) * (n + 1));
		for (int k = 0; k < nedges; k++)
			readers[fill[readobj[k]]++] = reader[k];
		pfree(fill);
	}

	for (int i = 1; i <= n; i++)
		if (waiting[i] == 0)
			queue[tail++] = i;

	while (nplaced < n)
	{
		CHECK_FOR_INTERRUPTS();
		if (head == tail)
		{
			/* a cycle: place the lowest-numbered object left above all */
			while (placed[next_stuck])
				next_stuck++;
			level[next_stuck] = top + 1;
			waiting[next_stuck] = 0;
			queue[tail++] = next_stuck;
		}
		{
			int			j = queue[head++];

			if (placed[j])
				continue;
			placed[j] = true;
			nplaced++;
			top = Max(top, level[j]);
			for (int k = first[j]; k < first[j + 1]; k++)
			{
				int			r = readers[k];

				if (placed[r])
					continue;
				level[r] = Max(level[r], level[j] + 1);
				if (--waiting[r] == 0)
					queue[tail++] = r;
			}
		}
	}

	pfree(waiting);
	pfree(first);
	pfree(readers);
	pfree(queue);
	pfree(placed);
	return level;
}
