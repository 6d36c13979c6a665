// Lowering the checked model to a factor graph, and its components.
#include "graph/factor_graph.hpp"

#include <algorithm>
#include <numeric>

namespace bayes::graph {

namespace {

// Union-find over parameter indices.
struct Components {
  std::vector<std::size_t> parent;
  explicit Components(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t i) { return parent[i] == i ? i : parent[i] = find(parent[i]); }
  void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

void add_refs(const FactorGraph& g, const ir::Node& n, std::vector<std::size_t>& vars) {
  std::vector<std::size_t> ps, ds;
  ir::collect_params(n, ps);
  ir::collect_data(n, ds);
  for (auto p : ps) vars.push_back(g.param_var(p));
  for (auto d : ds) vars.push_back(g.data_var(d));
}

void sort_unique(std::vector<std::size_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

FactorGraph build(const Model& model) {
  FactorGraph g;
  for (std::size_t i = 0; i < model.data.size(); ++i)
    g.vars.push_back({VarKind::Data, i, model.data[i].name});
  auto plate_of = [](const Type& t) -> std::size_t {
    return (t.is_vector() || t.rank == Rank::Matrix) && t.rows > 1 ? t.rows : 0;
  };
  for (std::size_t i = 0; i < model.data.size(); ++i) {
    const Value& v = model.data[i].value;
    if (v.rank != Rank::Scalar && v.rows > 1) g.vars[i].plate = v.rows;
  }
  g.first_param = g.vars.size();
  for (std::size_t i = 0; i < model.params.size(); ++i)
    g.vars.push_back(
        {VarKind::Param, i, model.params[i].name, true, plate_of(model.params[i].type)});
  g.first_let = g.vars.size();
  for (std::size_t i = 0; i < model.lets.size(); ++i)
    g.vars.push_back({VarKind::Let, i, model.lets[i].name, !model.lets[i].from_query,
                      plate_of(model.lets[i].expr->type)});

  for (std::size_t i = 0; i < model.priors.size(); ++i) {
    const Prior& p = model.priors[i];
    Factor f{FactorKind::Prior, i, p.family, {}, p.text, 0, 0};
    // Elementwise over a vector parameter (not a joint density: Dirichlet).
    if (p.params.size() == 1 && (!p.family || p.family->outcome_rank == Rank::Scalar))
      f.plate = g.vars[g.param_var(p.params[0])].plate;
    for (auto q : p.params) f.vars.push_back(g.param_var(q));
    for (const auto& a : p.args) add_refs(g, *a, f.vars);
    if (p.truncation.log_mass_of) add_refs(g, *p.truncation.log_mass_of, f.vars);
    if (p.lower_of) add_refs(g, *p.lower_of, f.vars);
    if (p.upper_of) add_refs(g, *p.upper_of, f.vars);
    sort_unique(f.vars);
    g.factors.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < model.observations.size(); ++i) {
    const Observation& o = model.observations[i];
    Factor f{FactorKind::Observation, i, o.family, {}, o.text, 0, 0};
    if (o.family && o.family->outcome_rank == Rank::Scalar) f.plate = plate_of(o.lhs->type);
    add_refs(g, *o.lhs, f.vars);
    std::vector<std::size_t> observed;
    ir::collect_data(*o.lhs, observed);
    for (auto d : observed) g.vars[g.data_var(d)].observed = true;
    for (const auto& a : o.args) add_refs(g, *a, f.vars);
    if (o.truncation.log_mass_of) add_refs(g, *o.truncation.log_mass_of, f.vars);
    sort_unique(f.vars);
    g.factors.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < model.terms.size(); ++i) {
    const Term& t = model.terms[i];
    Factor f{FactorKind::Term, i, nullptr, {}, t.text, 0, 0};
    add_refs(g, *t.expr, f.vars);
    sort_unique(f.vars);
    g.factors.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < model.lets.size(); ++i)
    for (auto p : ir::params_of(*model.lets[i].expr))
      g.derived.push_back({g.param_var(p), g.let_var(i)});

  // Components: parameters joined by the factors they share.
  Components uf(model.params.size());
  for (const auto& f : g.factors) {
    std::size_t first = SIZE_MAX;
    for (auto v : f.vars) {
      if (g.vars[v].kind != VarKind::Param) continue;
      if (first == SIZE_MAX)
        first = g.vars[v].index;
      else
        uf.join(first, g.vars[v].index);
    }
  }
  std::vector<std::size_t> id(model.params.size(), SIZE_MAX);
  g.param_component.resize(model.params.size());
  for (std::size_t p = 0; p < model.params.size(); ++p) {
    std::size_t root = uf.find(p);
    if (id[root] == SIZE_MAX) {
      id[root] = g.components.size();
      g.components.emplace_back();
    }
    g.param_component[p] = id[root];
    g.components[id[root]].params.push_back(p);
  }
  for (std::size_t fi = 0; fi < g.factors.size(); ++fi) {
    Factor& f = g.factors[fi];
    auto it = std::find_if(f.vars.begin(), f.vars.end(),
                           [&](std::size_t v) { return g.vars[v].kind == VarKind::Param; });
    if (it == f.vars.end()) {  // touches no parameter: a component of its own
      f.component = g.components.size();
      g.components.emplace_back();
    } else {
      f.component = g.param_component[g.vars[*it].index];
    }
    g.components[f.component].factors.push_back(fi);
  }
  return g;
}

namespace {

// A label of at most about `width` characters a line, broken after a comma
// or at a space outside brackets where it can be.
std::string wrapped(const std::string& s, std::size_t width = 26) {
  std::string out, line;
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    depth += (c == '(' || c == '[') - (c == ')' || c == ']');
    line += c;
    const bool breakable = (c == ',' || c == ' ') && i + 1 < s.size() && depth <= 1;
    if (breakable && line.size() >= width) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += escape(line) + "\\n";
      line.clear();
      while (i + 1 < s.size() && s[i + 1] == ' ') ++i;
    }
  }
  return out + escape(line);
}

}  // namespace

void write_dot(std::ostream& out, const FactorGraph& g) {
  out << "graph factor_graph {\n";
  out << "  graph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.2, ranksep=0.35];\n";
  out << "  node [fontname=\"Helvetica\", fontsize=12];\n";
  auto var_id = [](std::size_t v) { return "v" + std::to_string(v); };
  auto factor_id = [](std::size_t f) { return "f" + std::to_string(f); };
  // Data no factor reads (the columns a design matrix was built from) are
  // left out: they are inputs of inputs.
  std::vector<bool> shown(g.vars.size(), true);
  for (std::size_t v = 0; v < g.vars.size(); ++v) shown[v] = g.vars[v].drawn;
  for (std::size_t v = 0; v < g.first_param; ++v) shown[v] = false;
  for (const auto& f : g.factors)
    for (auto v : f.vars) shown[v] = g.vars[v].drawn;
  // One plate per vector length, each with its index letter in order of appearance.
  std::vector<std::size_t> plates;
  auto note_plate = [&](std::size_t n) {
    if (n && std::find(plates.begin(), plates.end(), n) == plates.end()) plates.push_back(n);
  };
  for (std::size_t v = 0; v < g.vars.size(); ++v)
    if (shown[v]) note_plate(g.vars[v].plate);
  for (const auto& f : g.factors) note_plate(f.plate);
  const std::string letters = "ijklmnopqrstuvwxyz";
  auto index_of = [&](std::size_t n) {
    const auto k =
        static_cast<std::size_t>(std::find(plates.begin(), plates.end(), n) - plates.begin());
    return k < letters.size() ? std::string(1, letters[k]) : "i" + std::to_string(k + 1);
  };
  auto var_node = [&](std::size_t v) {
    const Variable& x = g.vars[v];
    const std::string name = x.plate ? x.name + "[" + index_of(x.plate) + "]" : x.name;
    std::string style;
    if (x.kind == VarKind::Param)
      style = "shape=ellipse";
    else if (x.kind == VarKind::Let)
      style = "shape=ellipse, style=dashed";
    else if (x.observed)
      style = "shape=ellipse, style=filled, fillcolor=lightgrey";
    else
      style = "shape=plaintext";
    return var_id(v) + " [label=\"" + escape(name) + "\", " + style + "];";
  };
  auto factor_node = [&](std::size_t fi) {
    const Factor& f = g.factors[fi];
    // An observation's box shows its distribution; the whole statement is
    // the tooltip (and the edge to the data says what is observed).
    std::string shown = f.label;
    if (f.kind == FactorKind::Observation)
      if (const auto tilde = shown.find(" ~ "); tilde != std::string::npos)
        shown = shown.substr(tilde + 3);
    // A loop's statement sits in its plate, which names the loop.
    if (const auto loop = shown.rfind(" (for "); loop != std::string::npos && shown.back() == ')')
      shown.erase(loop);
    return factor_id(fi) + " [label=\"" + wrapped(shown) + "\", tooltip=\"" + escape(f.label) +
           "\", shape=box, style=filled, fillcolor=white];";
  };
  for (std::size_t k = 0; k < plates.size(); ++k) {
    out << "  subgraph cluster_plate_" << k << " {\n    label=\"" << index_of(plates[k]) << " = 1.."
        << plates[k] << "\"; labeljust=r; style=rounded;\n";
    for (std::size_t v = 0; v < g.vars.size(); ++v)
      if (shown[v] && g.vars[v].plate == plates[k]) out << "    " << var_node(v) << '\n';
    for (std::size_t fi = 0; fi < g.factors.size(); ++fi)
      if (g.factors[fi].plate == plates[k]) out << "    " << factor_node(fi) << '\n';
    out << "  }\n";
  }
  for (std::size_t v = 0; v < g.vars.size(); ++v)
    if (shown[v] && !g.vars[v].plate) out << "  " << var_node(v) << '\n';
  for (std::size_t fi = 0; fi < g.factors.size(); ++fi)
    if (!g.factors[fi].plate) out << "  " << factor_node(fi) << '\n';
  // Edges from each factor to what it touches: parameters before the factor
  // (priors on the left, data on the right, as a model reads).
  for (std::size_t fi = 0; fi < g.factors.size(); ++fi)
    for (auto v : g.factors[fi].vars) {
      const bool factor_first =
          g.vars[v].kind == VarKind::Data || g.factors[fi].kind == FactorKind::Prior;
      out << "  "
          << (factor_first ? factor_id(fi) + " -- " + var_id(v)
                           : var_id(v) + " -- " + factor_id(fi))
          << ";\n";
    }
  for (const auto& [p, l] : g.derived)
    if (g.vars[l].drawn) out << "  " << var_id(p) << " -- " << var_id(l) << " [style=dashed];\n";
  out << "}\n";
}

}  // namespace bayes::graph
