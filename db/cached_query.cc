#include "db/cached_query.h"

#include <stdexcept>
#include <utility>

#include <soci/sqlite3/soci-sqlite3.h>

namespace db {

CachedQuery::CachedQuery(soci::session& session, std::string sql, bool server_side)
    : statement_(session),
      sql_(std::move(sql)),
      server_side_(server_side),
      sqlite_(session.get_backend_name() == "sqlite3") {}

CachedQuery::~CachedQuery() = default;

void CachedQuery::Record(Column kind, std::string_view name) {
    if (prepared_) {
        // The same call sequence on every run is the contract; a different one is a bug in the
        // caller that would bind values to the wrong placeholders.
        if (next_bind_ >= binds_.size() || binds_[next_bind_].kind != kind ||
            binds_[next_bind_].name != name) {
            failed_ = true;  // so the cache replaces it rather than keep a half-bound run
            throw std::logic_error("cached query bound differently from its first run");
        }
    } else {
        binds_.push_back({kind, std::string(name)});
    }
    ++next_bind_;
}

CachedQuery& CachedQuery::Text(std::string_view name, const std::string& value) {
    return NullableText(name, value);
}

CachedQuery& CachedQuery::NullableText(std::string_view name,
                                       const std::optional<std::string>& value) {
    Record(Column::kText, name);
    const soci::indicator ind = value ? soci::i_ok : soci::i_null;
    if (prepared_) {
        texts_in_.at(next_text_) = value.value_or("");
        text_indicators_in_.at(next_text_) = ind;
    } else {
        texts_in_.push_back(value.value_or(""));
        text_indicators_in_.push_back(ind);
        statement_.exchange(
            soci::use(texts_in_.back(), text_indicators_in_.back(), binds_.back().name));
    }
    ++next_text_;
    return *this;
}

CachedQuery& CachedQuery::Int(std::string_view name, std::int64_t value) {
    return NullableInt(name, value);
}

CachedQuery& CachedQuery::NullableInt(std::string_view name, std::optional<std::int64_t> value) {
    Record(Column::kInt, name);
    const soci::indicator ind = value ? soci::i_ok : soci::i_null;
    if (prepared_) {
        ints_in_.at(next_int_) = value.value_or(0);
        int_indicators_in_.at(next_int_) = ind;
    } else {
        ints_in_.push_back(value.value_or(0));
        int_indicators_in_.push_back(ind);
        statement_.exchange(
            soci::use(ints_in_.back(), int_indicators_in_.back(), binds_.back().name));
    }
    ++next_int_;
    return *this;
}

CachedQuery& CachedQuery::Real(std::string_view name, double value) {
    Record(Column::kReal, name);
    if (prepared_) {
        reals_in_.at(next_real_) = value;
    } else {
        reals_in_.push_back(value);
        statement_.exchange(soci::use(reals_in_.back(), binds_.back().name));
    }
    ++next_real_;
    return *this;
}

void CachedQuery::Prepare(const std::vector<Column>& columns) {
    columns_ = columns;
    texts_out_.resize(columns.size());
    ints_out_.resize(columns.size());
    indicators_out_.resize(columns.size(), soci::i_null);
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == Column::kText) {
            statement_.exchange(soci::into(texts_out_[i], indicators_out_[i]));
        } else {
            statement_.exchange(soci::into(ints_out_[i], indicators_out_[i]));
        }
    }
    statement_.alloc();
    statement_.prepare(
        sql_, server_side_ ? soci::details::st_repeatable_query : soci::details::st_one_time_query);
    statement_.define_and_bind();
    prepared_ = true;
}

void CachedQuery::ResetSqlite() {
    if (!sqlite_) {
        return;
    }
    auto* backend = static_cast<soci::sqlite3_statement_backend*>(statement_.get_backend());
    if (backend != nullptr && backend->stmt_ != nullptr) {
        sqlite_api::sqlite3_reset(backend->stmt_);
    }
}

void CachedQuery::StartRun(const std::vector<Column>& columns) {
    const bool complete = next_bind_ == binds_.size() || !prepared_;
    next_bind_ = next_text_ = next_int_ = next_real_ = 0;
    if (!prepared_) {
        Prepare(columns);
    } else if (!complete || columns != columns_) {
        failed_ = true;
        throw std::logic_error("cached query run differently from its first run");
    }
    for (soci::indicator& ind : indicators_out_) {
        ind = soci::i_null;
    }
}

bool CachedQuery::FetchRow() {
    for (soci::indicator& ind : indicators_out_) {
        ind = soci::i_null;
    }
    return statement_.fetch();
}

bool CachedQuery::RunForRow(const std::vector<Column>& columns) {
    StartRun(columns);
    Finish finish{*this};
    failed_ = true;  // until the run completes
    const bool got = statement_.execute(true);
    failed_ = false;
    return got;
}

}  // namespace db
