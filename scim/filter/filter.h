#pragma once

// The public face of the filter language: parse (parser.h), bind to the schema (bind.h),
// evaluate in memory (evaluate.h). The SQL compiler lives in db/sql_filter.h.
//
//   auto filter = scim::filter::BoundFilter::Create(text, registry, *user_type);
//   if (!filter.ok()) return filter.error();            // 400 invalidFilter
//   bool hit = scim::filter::Matches(*filter, resource_json);
#include "scim/filter/ast.h"
#include "scim/filter/bind.h"
#include "scim/filter/evaluate.h"
#include "scim/filter/parser.h"
