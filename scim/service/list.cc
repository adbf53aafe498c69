// List and search (RFC 7644 §3.4.2, §3.4.3) with index paging and RFC 9865 cursor paging.
#include <algorithm>

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
// instead of failing the whole request.
Result<TypeQuery> PrepareType(const schemas::Registry& registry,
                              const schemas::ResourceType& type,
                              const Query& query,
                              bool root_listing = false) {
    TypeQuery prepared;
    prepared.type = &type;
    if (query.filter) {
        auto bound = filter::BoundFilter::Create(*query.filter, registry, type);
        if (!bound.ok()) {
            return bound.error();
        }
        prepared.filter.emplace(std::move(*bound));
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

// One page of RFC 9865 cursor paging. A forward cursor asks for the rows after its key; a
// backward one (previousCursor) for the rows before it, read in reverse order from the store
// and turned around. One row more than the page is read to learn whether another page follows
// in the direction of travel.
Result<Response> CursorPage(ResourceStore& store,
                            const CursorCodec& codec,
                            std::string_view org_id,
                            const TypeQuery& prepared,
                            const Query& query,
                            const Paging& paging,
                            const Renderer& renderer) {
    const std::string hash = CursorCodec::QueryHash(prepared.type->name, query.filter.value_or(""),
                                                    query.sort_by.value_or(""), paging.descending);
    std::optional<CursorPosition> position;
    if (!paging.cursor->empty()) {
        auto decoded = codec.Decode(*paging.cursor, hash);
        if (!decoded.ok()) {
            return decoded.error();
        }
        position = std::move(*decoded);
    }
    const bool backward = position && position->backward;

    ListQuery list = prepared.ToListQuery(paging);
    list.start_index = 1;
    list.count = paging.count + 1;
    if (position) {
        list.after = position->key;
        list.descending = backward ? !paging.descending : paging.descending;
    }
    auto page = store.List(org_id, *prepared.type, list);
    if (!page.ok()) {
        return page.error();
    }
    std::vector<StoredResource>& rows = page->resources;
    const bool more = static_cast<std::int64_t>(rows.size()) > paging.count;
    rows.resize(std::min<std::size_t>(rows.size(), static_cast<std::size_t>(paging.count)));
    if (backward) {
        std::reverse(rows.begin(), rows.end());
    }

    auto resources = RenderAll(renderer, org_id, prepared, rows);
    if (!resources.ok()) {
        return resources.error();
    }
    nlohmann::json body = ListBody(page->total, std::move(*resources));
    if (!rows.empty() && (backward || more)) {
        body["nextCursor"] = codec.Encode({KeyOf(prepared, rows.back()), false}, hash);
    }
    if (!rows.empty() && (backward ? more : position.has_value())) {
        body["previousCursor"] = codec.Encode({KeyOf(prepared, rows.front()), true}, hash);
    }
    return Response{200, std::move(body), "", ""};
}

// Reads a text member of a SearchRequest into `out`; keys match case-insensitively.
Status ReadSearchField(const nlohmann::json& value,
                       std::string_view name,
                       std::optional<std::string>& out) {
    if (value.is_null()) {
        return Ok{};
    }
    if (value.is_string()) {
        out = value.get<std::string>();
        return Ok{};
    }
    if (value.is_number_integer()) {
        out = std::to_string(value.get<std::int64_t>());
        return Ok{};
    }
    if (value.is_array()) {
        // attributes / excludedAttributes: names cannot hold commas, so joining is lossless.
        std::string joined;
        for (const auto& item : value) {
            if (!item.is_string()) {
                return Error::Scim(ScimType::kInvalidValue,
                                   std::string(name) + " must be a list of attribute names");
            }
            joined += (joined.empty() ? "" : ",") + item.get<std::string>();
        }
        out = joined;
        return Ok{};
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
    const std::pair<std::string_view, std::optional<std::string>*> fields[] = {
        {"filter", &query.filter},         {"sortby", &query.sort_by},
        {"sortorder", &query.sort_order},  {"startindex", &query.start_index},
        {"count", &query.count},           {"cursor", &query.cursor},
        {"attributes", &query.attributes}, {"excludedattributes", &query.excluded_attributes},
    };
    for (const auto& [key, value] : body.items()) {
        const std::string folded = FoldCase(key);
        for (const auto& [name, target] : fields) {
            if (folded == name) {
                if (auto read = ReadSearchField(value, key, *target); !read.ok()) {
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
        return CursorPage(store_, *cursor_, ctx.principal.org_id, *prepared, query, *paging,
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

// The server root (RFC 7644 §3.4.2.1) lists every resource type. The merged order is: resource
// types in MergeOrder (User, Group, then extension types), each sorted by sortBy on its
// own; startIndex and count page through that concatenation. Types on which the filter names an
// unknown attribute contribute nothing, types without the sortBy attribute are ordered by id; when
// no type can take the request the first type's error is returned.
Result<Response> ResourceService::ListAll(const RequestContext& ctx, const Query& query) {
    auto paging = ParsePaging(query, config_);
    if (!paging.ok()) {
        return paging.error();
    }
    if (paging->cursor) {
        // TODO(#4): cursors over the merged listing need the type in the keyset.
        return Error::Scim(ScimType::kInvalidValue,
                           "cursor paging needs a resource endpoint such as /Users");
    }
    if (query.filter) {
        if (auto parsed = filter::Parse(*query.filter); !parsed.ok()) {
            return parsed.error();
        }
    }

    std::vector<TypeQuery> types;
    std::optional<Error> first_error;
    for (const schemas::ResourceType* type : MergeOrder(*registry_)) {
        auto prepared = PrepareType(*registry_, *type, query, /*root_listing=*/true);
        if (prepared.ok()) {
            types.push_back(std::move(*prepared));
        } else if (!first_error) {
            first_error = prepared.error();
        }
    }
    if (types.empty()) {
        return first_error ? *first_error : Error::NotFound("no resource types");
    }
    if (query.sort_by && !query.sort_by->empty() &&
        std::none_of(types.begin(), types.end(), [](const TypeQuery& t) { return t.sort; })) {
        return Error::Scim(ScimType::kInvalidValue, "sortBy names no attribute of any type");
    }

    Renderer renderer(*registry_, store_, config_);
    std::int64_t offset = 0;  // rows of the types already passed
    nlohmann::json resources = nlohmann::json::array();
    for (const TypeQuery& prepared : types) {
        ListQuery list = prepared.ToListQuery(*paging);
        list.start_index = std::max<std::int64_t>(1, paging->start_index - offset);
        list.count = paging->count - static_cast<std::int64_t>(resources.size());
        auto page = store_.List(ctx.principal.org_id, *prepared.type, list);
        if (!page.ok()) {
            return page.error();
        }
        auto rendered = RenderAll(renderer, ctx.principal.org_id, prepared, page->resources);
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
