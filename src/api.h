/*-------------------------------------------------------------------------
 *
 * api.h
 *	  The SQLFlow REST API: endpoints, token exchange, envelope, errors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_API_H
#define SQLFLOW_API_H

#include "utils/jsonb.h"

#include "http.h"
#include "options.h"

typedef enum SqlflowFormat
{
	SQLFLOW_FORMAT_JSON,
	SQLFLOW_FORMAT_CSV,
	SQLFLOW_FORMAT_GRAPHML
} SqlflowFormat;

/* One export, as text in the database encoding. */
extern text *sqlflow_api_export_text(const SqlflowEndpoint *ep,
									 SqlflowFormat format,
									 const char *job_id,
									 bool table_to_table,
									 char delimiter);

/* The JSON export as jsonb, parsed once. */
extern Jsonb *sqlflow_api_export_jsonb(const SqlflowEndpoint *ep,
									   const char *job_id,
									   bool table_to_table);

#endif							/* SQLFLOW_API_H */
