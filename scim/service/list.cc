// List and search (RFC 7644 §3.4.2, §3.4.3) with index paging and RFC 9865 cursor paging.
#include <algorithm>
#include <cstdint>

#include "schemas/projection.h"
#include "scim/casefold.h"
#include "scim/filter/filter.h"
#include "scim/service/cursor.h"
#include "scim/service/paging.h"
#include "scim/service/render.h"
#include "scim/service/resource_service.h"

namespace scim::service {

namespace {

// sortBy resolved against one type. RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its
// primary (else first) value; a complex attribute must be named down to a sub-attribute, except
// a multi-valued one, which sorts by its `value`.
Result<std::optional<schemas::ResolvedPath>> ResolveSort(
    const schemas::Registry& registry,
    const schemas::ResourceType& type,
    const std::optional<std::string>& sort_by) {
    if (!sort_by || sort_by->empty()) {
        return std::optional<schemas::ResolvedPath>();
    }
    auto path = registry.Resolve(type, *sort_by);
    if (!path) {
        return Error::Scim(ScimType::kInvalidValue, "sortBy names no attribute of " + type.name);
    }
    // Group.members and User.groups would sort by their primary or first value, but membership
    // is a set: it has no primary member and no order, so no member is "first".
    if (!path->is_extension &&
        (path->attribute->name == kMembersAttribute || path->attribute->name == kGroupsAttribute)) {
        return Error::Scim(ScimType::kInvalidValue,
                           "sortBy cannot use " + path->attribute->name + " of " + type.name +
                               ": membership has no order; sort by a singular attribute instead");
    }
    if (path->sub == nullptr && !path->attribute->multi_valued &&
        path->attribute->type == schemas::AttrType::kComplex) {
        return Error::Scim(ScimType::kInvalidValue,
                           "sortBy must name a sub-attribute of " + path->attribute->name);
    }
    return std::optional<schemas::ResolvedPath>(*path);
}

// The value a row sorts by, read the way the store orders rows (see CompileOrderBy in
// db/sql_filter.h): unfolded, the store applies its own case rule to keyset values.
nlohmann::json SortValueOf(const schemas::ResolvedPath& path, const StoredResource& resource) {
    const std::string& name = path.attribute->name;
    if (name == "id") {
        return resource.id;
    }
    if (name == "meta") {
        if (path.sub != nullptr && path.sub->name == "created") {
            return resource.created;
        }
        if (path.sub != nullptr && path.sub->name == "lastModified") {
            return resource.last_modified;
        }
        return nullptr;
    }
    const nlohmann::json* container = &resource.doc;
    if (path.is_extension) {
        auto ext = resource.doc.find(path.schema->id);
        if (ext == resource.doc.end() || !ext->is_object()) {
            return nullptr;
        }
        container = &*ext;
    }
    auto it = container->find(name);
    if (it == container->end()) {
        return nullptr;
    }
    nlohmann::json value = *it;
    if (value.is_array()) {
        auto primary = std::find_if(value.begin(), value.end(), [](const nlohmann::json& e) {
            const auto primary_it = e.is_object() ? e.find("primary") : e.end();
            return primary_it != e.end() && *primary_it == true;
        });
        value = value.empty() ? nlohmann::json() : (primary != value.end() ? *primary : value[0]);
        if (value.is_object()) {
            value = value.value(path.sub ? path.sub->name : std::string("value"), nlohmann::json());
        }
    } else if (path.sub != nullptr) {
        value =
            value.is_object() ? value.value(path.sub->name, nlohmann::json()) : nlohmann::json();
    }
    return value;
}

nlohmann::json ListBody(std::int64_t total, nlohmann::json resources) {
    nlohmann::json body = {{"schemas", {schemas::kListResponseSchema}},
                           {"totalResults", total},
                           {"itemsPerPage", resources.size()},
                           {"Resources", std::move(resources)}};
    return body;
}

// Everything one resource type's part of a list request needs, parsed and bound.
struct TypeQuery {
    const schemas::ResourceType* type = nullptr;
    std::optional<filter::BoundFilter> filter;
    std::optional<schemas::ResolvedPath> sort;
    schemas::AttributeSelection selection;

    ListQuery ToListQuery(const Paging& paging) const {
        ListQuery query;
        query.filter = filter ? &filter->root() : nullptr;
        query.sort_by = sort ? &*sort : nullptr;
        query.descending = paging.descending;
        query.start_index = paging.start_index;
        query.count = paging.count;
        return query;
    }
};

// `root_listing`: on the server root a sortBy that one type lacks orders that type by id
// instead of failing the whole request, and a filter attribute the type lacks has no value on
// it (RFC 7644 §3.4.2.2) instead of failing; `matches_nothing` is set when the filter thereby
// holds for no resource of the type.
Result<TypeQuery> PrepareType(const schemas::Registry& registry,
                              const schemas::ResourceType& type,
                              const Query& query,
                              bool root_listing = false,
                              bool* matches_nothing = nullptr) {
    TypeQuery prepared;
    prepared.type = &type;
    if (query.filter) {
        auto bound = filter::BoundFilter::Create(
            *query.filter, registry, type,
            root_listing ? filter::UnknownAttributes::kAbsent : filter::UnknownAttributes::kReject);
        if (!bound.ok()) {
            return bound.error();
        }
        if (matches_nothing != nullptr) {
            *matches_nothing = bound->constant() == false;
        }
        if (!bound->constant()) {
            prepared.filter.emplace(std::move(*bound));
        }
    }
    const bool sort_known = !query.sort_by || registry.Resolve(type, *query.sort_by).has_value();
    auto sort =
        ResolveSort(registry, type, root_listing && !sort_known ? std::nullopt : query.sort_by);
    if (!sort.ok()) {
        return sort.error();
    }
    prepared.sort = *sort;
    prepared.selection = schemas::AttributeSelection::Parse(registry, type, query.attributes,
                                                            query.excluded_attributes);
    return prepared;
}

Result<nlohmann::json> RenderAll(const Renderer& renderer,
                                 std::string_view org_id,
                                 const TypeQuery& prepared,
                                 const std::vector<StoredResource>& rows) {
    return renderer.RenderMany(org_id, *prepared.type, rows, prepared.selection);
}

Keyset KeyOf(const TypeQuery& prepared, const StoredResource& row) {
    return Keyset{prepared.sort ? SortValueOf(*prepared.sort, row) : nlohmann::json(), row.id};
}

// A row of a cursor page and the index of its type in the list of types being paged.
struct PagedRow {
    std::size_t type_index = 0;
    StoredResource resource;
};

// Where a cursor page starts: the type holding the cursor's row and the row's key, or (no key)
// the start of the whole listing.
struct PageStart {
    std::size_t type_index = 0;
    std::optional<Keyset> after;
};

// Reads up to `limit` rows of the concatenation of `types` (each in its own sort order) that
// follow `start`, or precede it when `backward`. Backward rows come out in listing order too.
// The store is asked for rows only, never for totals.
Result<std::vector<PagedRow>> ReadRows(ResourceStore& store,
                                       std::string_view org_id,
                                       const std::vector<TypeQuery>& types,
                                       const Paging& paging,
                                       const PageStart& start,
                                       bool backward,
                                       std::int64_t limit) {
    std::vector<PagedRow> rows;
    std::size_t i = start.type_index;
    while (!types.empty() && static_cast<std::int64_t>(rows.size()) < limit) {
        ListQuery list = types[i].ToListQuery(paging);
        list.start_index = 1;
        list.count = limit - static_cast<std::int64_t>(rows.size());
        list.with_total = false;
        list.descending = backward ? !paging.descending : paging.descending;
        if (i == start.type_index) {
            list.after = start.after;
        }
        auto page = store.List(org_id, *types[i].type, list);
        if (!page.ok()) {
            return page.error();
        }
        for (StoredResource& resource : page->resources) {
            rows.push_back(PagedRow{i, std::move(resource)});
        }
        if (backward ? i == 0 : i + 1 == types.size()) {
            break;
        }
        i = backward ? i - 1 : i + 1;
    }
    if (backward) {
        std::reverse(rows.begin(), rows.end());
    }
    return rows;
}

// The full match count over every type, for the first page of a traversal.
Result<std::int64_t> CountAll(ResourceStore& store,
                              std::string_view org_id,
                              const std::vector<TypeQuery>& types,
                              const Paging& paging) {
    std::int64_t total = 0;
    for (const TypeQuery& prepared : types) {
        ListQuery list = prepared.ToListQuery(paging);
        list.count = 0;
        auto page = store.List(org_id, *prepared.type, list);
        if (!page.ok()) {
            return page.error();
        }
        total += page->total;
    }
    return total;
}

// Renders rows that may belong to several types, each with its own attribute selection.
Result<nlohmann::json> RenderRows(const Renderer& renderer,
                                  std::string_view org_id,
                                  const std::vector<TypeQuery>& types,
                                  std::vector<PagedRow>& rows) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t begin = 0; begin < rows.size();) {
        std::size_t end = begin;
        std::vector<StoredResource> run;
        while (end < rows.size() && rows[end].type_index == rows[begin].type_index) {
            run.push_back(std::move(rows[end++].resource));
        }
        auto rendered = RenderAll(renderer, org_id, types[rows[begin].type_index], run);
        if (!rendered.ok()) {
            return rendered.error();
        }
        for (auto& item : *rendered) {
            out.push_back(std::move(item));
        }
        for (std::size_t k = begin; k < end; ++k) {
            rows[k].resource = std::move(run[k - begin]);
        }
        begin = end;
    }
    return out;
}

// Finds where a decoded cursor points: the type it names among `types`. Cursors without a
// type come from single-type listings only.
Result<PageStart> StartOf(const std::vector<TypeQuery>& types, const CursorPosition& position) {
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (types[i].type->name == position.type || (position.type.empty() && types.size() == 1)) {
            return PageStart{i, position.key};
        }
    }
    return Error::Scim(ScimType::kInvalidCursor, "the cursor is not valid for this query");
}

// One page of RFC 9865 cursor paging over `types` (one type for /Users or /Groups, every type
// in MergeOrder on the server root). The keyset is (position of the type in the list, the
// type's sort key, id), so a page may end in one type and the next start in another. A
// forward cursor asks for the rows after its key; a backward one (previousCursor) for the rows
// before it, read in reverse order from the store and turned around. One row more than the
// page is read to learn whether another page follows in the direction of travel.
//
// totalResults: RFC 9865 §2 keeps RFC 7644's "SHOULD be accurate" and even lets a provider
// that cannot estimate the total leave it out. Counting every page would make each page cost
// a scan of all matches, so the count is taken once, on the first page of a traversal (and
// only when that page does not already hold every match), and carried in the signed cursors.
// It is the number of matches when the traversal began.
Result<Response> CursorPage(ResourceStore& store,
                            const CursorCodec& codec,
                            std::string_view org_id,
                            std::string_view scope,
                            const std::vector<TypeQuery>& types,
                            const Query& query,
                            const Paging& paging,
                            const Renderer& renderer) {
    // The organization is part of the hash, so a cursor presented with another
    // organization's token fails to decode (400 invalidCursor) instead of paging its data.
    const std::string hash = CursorCodec::QueryHash(org_id, scope, query.filter.value_or(""),
                                                    query.sort_by.value_or(""), paging.descending);
    std::optional<CursorPosition> position;
    PageStart start;
    if (!paging.cursor->empty()) {
        auto decoded = codec.Decode(*paging.cursor, hash);
        if (!decoded.ok()) {
            return decoded.error();
        }
        position = std::move(*decoded);
        auto found = StartOf(types, *position);
        if (!found.ok()) {
            return found.error();
        }
        start = std::move(*found);
    }
    const bool backward = position && position->backward;

    auto read = ReadRows(store, org_id, types, paging, start, backward, paging.count + 1);
    if (!read.ok()) {
        return read.error();
    }
    std::vector<PagedRow>& rows = *read;
    const bool more = static_cast<std::int64_t>(rows.size()) > paging.count;
    if (more) {
        // The extra row lies beyond the page in the direction of travel.
        rows.erase(backward ? rows.begin() : rows.end() - 1);
    }

    std::optional<std::int64_t> total = position ? position->total : std::nullopt;
    if (!total && !position && !more) {
        total = static_cast<std::int64_t>(rows.size());
    } else if (!total) {
        auto counted = CountAll(store, org_id, types, paging);
        if (!counted.ok()) {
            return counted.error();
        }
        total = *counted;
    }

    auto resources = RenderRows(renderer, org_id, types, rows);
    if (!resources.ok()) {
        return resources.error();
    }
    nlohmann::json body = ListBody(*total, std::move(*resources));
    auto cursor_at = [&](const PagedRow& row, bool to_previous) {
        const TypeQuery& prepared = types[row.type_index];
        return codec.Encode(
            CursorPosition{KeyOf(prepared, row.resource), to_previous, prepared.type->name, total},
            hash);
    };
    if (!rows.empty() && (backward || more)) {
        body["nextCursor"] = cursor_at(rows.back(), false);
    }
    if (!rows.empty() && (backward ? more : position.has_value())) {
        body["previousCursor"] = cursor_at(rows.front(), true);
    }
    return Response{200, std::move(body), "", ""};
}

// The JSON type a SearchRequest member must have (RFC 7644 §3.4.3: the members are those of the
// query parameters of §3.4.2, with attributes and excludedAttributes as arrays of strings and
// startIndex and count as integers).
enum class SearchFieldType { kString, kInteger, kStringArray };

// Reads a member of a SearchRequest into `out` as the text its query parameter would carry; a
// member of another JSON type than `type` is 400 invalidValue naming it and the type it needs.
// null is the same as leaving the member out (RFC 7643 §2.5).
Status ReadSearchField(const nlohmann::json& value,
                       std::string_view name,
                       SearchFieldType type,
                       std::optional<std::string>& out) {
    if (value.is_null()) {
        return Ok{};
    }
    switch (type) {
        case SearchFieldType::kString:
            if (value.is_string()) {
                out = value.get<std::string>();
                return Ok{};
            }
            return Error::Scim(ScimType::kInvalidValue, std::string(name) + " must be a string");
        case SearchFieldType::kInteger:
            if (value.is_number_unsigned()) {
                out = std::to_string(value.get<std::uint64_t>());
                return Ok{};
            }
            if (value.is_number_integer()) {
                out = std::to_string(value.get<std::int64_t>());
                return Ok{};
            }
            return Error::Scim(ScimType::kInvalidValue, std::string(name) + " must be an integer");
        case SearchFieldType::kStringArray:
            if (value.is_array()) {
                // Attribute names cannot hold commas, so joining them is lossless.
                std::string joined;
                bool all_strings = true;
                for (const auto& item : value) {
                    if (!item.is_string()) {
                        all_strings = false;
                        break;
                    }
                    joined += (joined.empty() ? "" : ",") + item.get<std::string>();
                }
                if (all_strings) {
                    out = joined;
                    return Ok{};
                }
            }
            return Error::Scim(ScimType::kInvalidValue,
                               std::string(name) + " must be an array of strings");
    }
    return Error::Scim(ScimType::kInvalidValue, std::string(name) + " has the wrong type");
}

bool ListsSearchRequestSchema(const nlohmann::json& body) {
    for (const auto& [key, value] : body.items()) {
        if (FoldCase(key) != "schemas" || !value.is_array()) {
            continue;
        }
        for (const auto& urn : value) {
            if (urn.is_string() &&
                FoldCase(urn.get<std::string>()) == FoldCase(schemas::kSearchRequestSchema)) {
                return true;
            }
        }
    }
    return false;
}

// The SearchRequest body of RFC 7644 §3.4.3 as the query parameters of a GET.
Result<Query> QueryFromSearchRequest(const nlohmann::json& body) {
    if (!body.is_object()) {
        return Error::Scim(ScimType::kInvalidSyntax, "the request body must be a JSON object");
    }
    if (!ListsSearchRequestSchema(body)) {
        return Error::Scim(ScimType::kInvalidSyntax,
                           "schemas must list " + std::string(schemas::kSearchRequestSchema));
    }
    Query query;
    struct Field {
        std::string_view name;
        SearchFieldType type;
        std::optional<std::string>* target;
    };
    const Field fields[] = {
        {"filter", SearchFieldType::kString, &query.filter},
        {"sortby", SearchFieldType::kString, &query.sort_by},
        {"sortorder", SearchFieldType::kString, &query.sort_order},
        {"startindex", SearchFieldType::kInteger, &query.start_index},
        {"count", SearchFieldType::kInteger, &query.count},
        {"cursor", SearchFieldType::kString, &query.cursor},
        {"attributes", SearchFieldType::kStringArray, &query.attributes},
        {"excludedattributes", SearchFieldType::kStringArray, &query.excluded_attributes},
    };
    for (const auto& [key, value] : body.items()) {
        const std::string folded = FoldCase(key);
        for (const auto& [name, type, target] : fields) {
            if (folded == name) {
                if (auto read = ReadSearchField(value, key, type, *target); !read.ok()) {
                    return read.error();
                }
            }
        }
    }
    return query;
}

// The order of resource types in a listing of the server root: User, Group, then any other
// type in registry order. Fixed so that startIndex pages stay stable across restarts.
std::vector<const schemas::ResourceType*> MergeOrder(const schemas::Registry& registry) {
    std::vector<const schemas::ResourceType*> order;
    for (std::string_view name : {schemas::kUserResource, schemas::kGroupResource}) {
        if (const auto* type = registry.FindResourceType(name)) {
            order.push_back(type);
        }
    }
    for (const schemas::ResourceType& type : registry.resource_types()) {
        if (std::find(order.begin(), order.end(), &type) == order.end()) {
            order.push_back(&type);
        }
    }
    return order;
}

// The server root (RFC 7644 §3.4.2.1) lists every resource type. The merged order is: resource
// types in MergeOrder (User, Group, then extension types), each sorted by sortBy on its own.
// A filter attribute that some type lacks has no value there (comparisons on it are false, the
// rest of the filter still applies); types on which the filter then holds for nothing are left
// out, and an attribute that no type defines is an error. Types without the sortBy attribute
// are ordered by id. A type whose filter is otherwise invalid is left out too; when no type can
// take the request the first such error is returned.
Result<std::vector<TypeQuery>> PrepareRoot(const schemas::Registry& registry, const Query& query) {
    if (query.filter) {
        auto parsed = filter::Parse(*query.filter);
        if (!parsed.ok()) {
            return parsed.error();
        }
        if (Status known = filter::CheckKnownToSomeType(**parsed, registry); !known.ok()) {
            return known.error();
        }
    }
    // A sortBy that a type defines but cannot sort by fails the request, as on that type's own
    // endpoint, rather than leaving the type out.
    for (const schemas::ResourceType* type : MergeOrder(registry)) {
        if (query.sort_by && registry.Resolve(*type, *query.sort_by).has_value()) {
            if (auto sort = ResolveSort(registry, *type, query.sort_by); !sort.ok()) {
                return sort.error();
            }
        }
    }
    std::vector<TypeQuery> types;
    std::optional<Error> first_error;
    bool any_sorted = false;
    bool any_empty = false;
    for (const schemas::ResourceType* type : MergeOrder(registry)) {
        bool matches_nothing = false;
        auto prepared =
            PrepareType(registry, *type, query, /*root_listing=*/true, &matches_nothing);
        if (!prepared.ok()) {
            first_error = first_error ? first_error : prepared.error();
            continue;
        }
        any_sorted = any_sorted || prepared->sort.has_value();
        if (matches_nothing) {
            any_empty = true;
        } else {
            types.push_back(std::move(*prepared));
        }
    }
    if (types.empty() && (first_error || !any_empty)) {
        return first_error ? *first_error : Error::NotFound("no resource types");
    }
    if (query.sort_by && !query.sort_by->empty() && !any_sorted) {
        return Error::Scim(ScimType::kInvalidValue, "sortBy names no attribute of any type");
    }
    return types;
}

}  // namespace

Result<Response> ResourceService::List(const RequestContext& ctx,
                                       std::optional<std::string_view> type_name,
                                       const Query& query) {
    if (!type_name) {
        return ListAll(ctx, query);
    }
    auto type = FindType(*type_name);
    if (!type.ok()) {
        return type.error();
    }
    return ListOne(ctx, **type, query);
}

Result<Response> ResourceService::Search(const RequestContext& ctx,
                                         std::optional<std::string_view> type,
                                         const nlohmann::json& body) {
    auto query = QueryFromSearchRequest(body);
    if (!query.ok()) {
        return query.error();
    }
    return List(ctx, type, *query);
}

Result<Response> ResourceService::ListOne(const RequestContext& ctx,
                                          const schemas::ResourceType& type,
                                          const Query& query) {
    auto paging = ParsePaging(query, config_);
    if (!paging.ok()) {
        return paging.error();
    }
    auto prepared = PrepareType(*registry_, type, query);
    if (!prepared.ok()) {
        return prepared.error();
    }
    Renderer renderer(*registry_, store_, config_);
    if (paging->cursor) {
        std::vector<TypeQuery> types;
        types.push_back(std::move(*prepared));
        return CursorPage(store_, *cursor_, ctx.principal.org_id, type.name, types, query, *paging,
                          renderer);
    }

    auto page = store_.List(ctx.principal.org_id, type, prepared->ToListQuery(*paging));
    if (!page.ok()) {
        return page.error();
    }
    auto resources = RenderAll(renderer, ctx.principal.org_id, *prepared, page->resources);
    if (!resources.ok()) {
        return resources.error();
    }
    nlohmann::json body = ListBody(page->total, std::move(*resources));
    body["startIndex"] = paging->start_index;
    return Response{200, std::move(body), "", ""};
}

}  // namespace scim::service

namespace scim::service {

// The server root (RFC 7644 §3.4.2.1): startIndex and count, or an RFC 9865 cursor, page through
// the concatenation of the types PrepareRoot selects, each in its own sort order.
Result<Response> ResourceService::ListAll(const RequestContext& ctx, const Query& query) {
    auto paging = ParsePaging(query, config_);
    if (!paging.ok()) {
        return paging.error();
    }
    auto prepared = PrepareRoot(*registry_, query);
    if (!prepared.ok()) {
        return prepared.error();
    }
    const std::vector<TypeQuery>& types = *prepared;
    Renderer renderer(*registry_, store_, config_);
    if (paging->cursor) {
        // The scope "" names the root: no resource type has an empty name.
        return CursorPage(store_, *cursor_, ctx.principal.org_id, "", types, query, *paging,
                          renderer);
    }

    std::int64_t offset = 0;  // rows of the types already passed
    nlohmann::json resources = nlohmann::json::array();
    for (const TypeQuery& type : types) {
        ListQuery list = type.ToListQuery(*paging);
        list.start_index = std::max<std::int64_t>(1, paging->start_index - offset);
        list.count = paging->count - static_cast<std::int64_t>(resources.size());
        auto page = store_.List(ctx.principal.org_id, *type.type, list);
        if (!page.ok()) {
            return page.error();
        }
        auto rendered = RenderAll(renderer, ctx.principal.org_id, type, page->resources);
        if (!rendered.ok()) {
            return rendered.error();
        }
        for (auto& item : *rendered) {
            resources.push_back(std::move(item));
        }
        offset += page->total;
    }
    nlohmann::json body = ListBody(offset, std::move(resources));
    body["startIndex"] = paging->start_index;
    return Response{200, std::move(body), "", ""};
}

}  // namespace scim::service
