// The grammar of the .model language (LANGUAGE.md), as PEGTL rules only.
// Meaning is attached elsewhere: src/syntax/ selects which rules become
// parse-tree nodes and turns the tree into the AST.
//
// Newlines end statements, except inside brackets and after a binary
// operator. Expression rules are therefore templates over `NL`: with NL = true
// (inside ( ) and [ ]) newlines count as white space before an operator too.
#pragma once

#include <tao/pegtl.hpp>

namespace bayes::grammar {

namespace pegtl = tao::pegtl;
using namespace pegtl;  // NOLINT: the rules read better with PEGTL's names unqualified

// ---------------------------------------------------------------- lexical

struct comment : seq<one<'#'>, until<at<eolf>>> {};
struct blank_or_comment : sor<blank, comment> {};
// White space within a line; and white space that may cross lines.
struct sp : star<blank_or_comment> {};
struct nl : star<sor<blank_or_comment, eol>> {};
template <bool NL>
struct ws : std::conditional_t<NL, nl, sp> {};

struct kw_data : TAO_PEGTL_KEYWORD("data") {};
struct kw_param : TAO_PEGTL_KEYWORD("param") {};
struct kw_let : TAO_PEGTL_KEYWORD("let") {};
struct kw_print : TAO_PEGTL_KEYWORD("print") {};
struct kw_plot : TAO_PEGTL_KEYWORD("plot") {};
struct kw_fn : TAO_PEGTL_KEYWORD("fn") {};
struct kw_from : TAO_PEGTL_KEYWORD("from") {};
struct kw_to : TAO_PEGTL_KEYWORD("to") {};
struct kw_in : TAO_PEGTL_KEYWORD("in") {};
struct kw_inf : TAO_PEGTL_KEYWORD("inf") {};
struct kw_factor : TAO_PEGTL_KEYWORD("factor") {};
struct kw_for : TAO_PEGTL_KEYWORD("for") {};
struct kw_ordered : TAO_PEGTL_KEYWORD("ordered") {};
struct kw_positive_ordered : TAO_PEGTL_KEYWORD("positive_ordered") {};
struct keyword : sor<kw_data, kw_param, kw_let, kw_print, kw_plot, kw_fn, kw_from, kw_to, kw_in,
                     kw_inf, kw_factor, kw_for, kw_ordered, kw_positive_ordered> {};

struct identifier : seq<not_at<keyword>, pegtl::identifier> {};

// 3, 2.5, .5, 1e-3, 6.02E+23, inf. A sign is the unary minus operator.
struct digits : plus<digit> {};
struct exponent : seq<one<'e', 'E'>, opt<one<'+', '-'>>, must<digits>> {};
struct decimal
    : seq<sor<seq<digits, opt<one<'.'>, star<digit>>>, seq<one<'.'>, digits>>, opt<exponent>> {};
struct number : sor<kw_inf, seq<decimal, not_at<identifier_other>>> {};

struct escape : seq<one<'\\'>, must<one<'"', '\\', 'n', 't'>>> {};
struct string_char : sor<escape, seq<not_at<one<'"'>>, not_at<eolf>, any>> {};
struct string_body : star<string_char> {};
struct string_close : one<'"'> {};
struct string_lit : seq<one<'"'>, string_body, must<string_close>> {};

struct comma : seq<nl, one<','>, nl> {};

// Brackets are rules of their own so that an unclosed one can be reported
// where it opens (the parser keeps a stack of open brackets).
struct open_paren : one<'('> {};
struct close_paren : one<')'> {};
struct open_bracket : one<'['> {};
struct close_bracket : one<']'> {};

// A name being defined. A keyword there is an error of its own ("'in' is a
// keyword, not a name") rather than a missing name.
struct reserved_word : keyword {};
struct keyword_as_name : seq<at<keyword>, raise<reserved_word>> {};
struct new_name : sor<identifier, keyword_as_name> {};

// Matches, consuming nothing, where only blanks come before on the line (or
// since a ';'): where a statement may start.
struct at_statement_start {
  using rule_t = at_statement_start;
  using subs_t = empty_list;
  template <typename ParseInput>
  [[nodiscard]] static bool match(ParseInput& in) {
    const char* p = in.current();
    while (p != in.begin() && (p[-1] == ' ' || p[-1] == '\t')) --p;
    return p == in.begin() || p[-1] == '\n' || p[-1] == '\r' || p[-1] == ';';
  }
};
struct statement_keyword
    : sor<kw_data, kw_param, kw_let, kw_fn, kw_print, kw_plot, kw_factor, kw_for> {};
// A keyword where an operand belongs; but `data x = 1 +` followed by a line
// `param ...` is a missing operand, not a misused keyword.
struct misplaced_keyword : seq<not_at<at_statement_start, statement_keyword>, keyword_as_name> {};

// ---------------------------------------------------------------- expressions

template <bool NL>
struct expr;

// Each list element after a ',' is required (no trailing commas), with its
// own message; these are expr<true>, defined after it.
struct next_argument;
struct next_element;
struct next_index;
// First, then (Sep Next)*, where Next must follow every Sep.
template <typename First, typename Sep, typename Next>
struct list_of : seq<First, star<Sep, must<Next>>> {};

// Arguments: empty or a comma list; newlines allowed anywhere inside.
struct arg_list : opt<list_of<expr<true>, comma, next_argument>> {};
struct call : seq<identifier, sp, open_paren, nl, arg_list, nl, must<close_paren>> {};
struct paren : seq<open_paren, nl, must<expr<true>>, nl, must<close_paren>> {};
struct vector_lit : seq<open_bracket, nl, opt<list_of<expr<true>, comma, next_element>>, nl,
                        must<close_bracket>> {};
struct name : identifier {};
struct primary : sor<number, string_lit, call, name, paren, vector_lit, misplaced_keyword> {};

// v[i], v[idx], m[i, j]
struct index_list : list_of<expr<true>, comma, next_index> {};
struct index_suffix : seq<open_bracket, nl, must<index_list>, nl, must<close_bracket>> {};
struct postfix : seq<primary, star<index_suffix>> {};

struct op_neg : one<'-'> {};
struct op_not : seq<one<'!'>, not_at<one<'='>>> {};
struct op_pos : one<'+'> {};
struct op_pow : one<'^'> {};
struct op_mul : one<'*'> {};
struct op_emul : TAO_PEGTL_STRING(".*") {};  // elementwise product
struct op_div : one<'/'> {};
struct op_add : one<'+'> {};
struct op_sub : one<'-'> {};
struct op_le : TAO_PEGTL_STRING("<=") {};
struct op_ge : TAO_PEGTL_STRING(">=") {};
struct op_eq : TAO_PEGTL_STRING("==") {};
struct op_ne : TAO_PEGTL_STRING("!=") {};
struct op_lt : one<'<'> {};
struct op_gt : one<'>'> {};
struct op_and : TAO_PEGTL_STRING("&&") {};
struct op_or : TAO_PEGTL_STRING("||") {};

struct operand_expected : sor<> {};  // never matches: names the error "expected an expression"

template <bool NL>
struct unary;
// `^` is right-associative and binds tighter than unary minus: -2^2 = -(2^2),
// 2^-1 = 2^(-1).
template <bool NL>
struct power : seq<postfix, opt<ws<NL>, op_pow, nl, must<unary<NL>>>> {};
template <bool NL>
struct unary : sor<seq<sor<op_neg, op_not, op_pos>, sp, must<unary<NL>>>, power<NL>> {};

// A binary level: Operand (Op Operand)*, newlines allowed after the operator.
template <bool NL, typename Op, typename Operand>
struct left_assoc : seq<Operand, star<ws<NL>, Op, nl, must<Operand>>> {};

template <bool NL>
struct product : left_assoc<NL, sor<op_mul, op_emul, op_div>, unary<NL>> {};
template <bool NL>
struct sum : left_assoc<NL, sor<op_add, op_sub>, product<NL>> {};
// Comparisons do not chain: a < b < c parses here so that the parser can
// report it with the fix ("write 'a < b && b < c'").
template <bool NL>
struct comparison : left_assoc<NL, sor<op_le, op_ge, op_eq, op_ne, op_lt, op_gt>, sum<NL>> {};
template <bool NL>
struct conjunction : left_assoc<NL, op_and, comparison<NL>> {};
template <bool NL>
struct disjunction : left_assoc<NL, op_or, conjunction<NL>> {};
template <bool NL>
struct expr : seq<disjunction<NL>> {};

struct next_argument : expr<true> {};
struct next_element : expr<true> {};
struct next_index : expr<true> {};

// ---------------------------------------------------------------- statements

struct tilde : one<'~'> {};
struct dist_call : seq<identifier, sp, must<open_paren>, nl, arg_list, nl, must<close_paren>> {};
struct prior : seq<tilde, sp, must<dist_call>> {};

// data x = EXPR | data a, b from "file.csv"
struct name_comma : seq<sp, one<','>, sp> {};
struct data_names : list_of<new_name, name_comma, new_name> {};
struct data_value : seq<one<'='>, nl, must<expr<false>>> {};
struct data_file : seq<kw_from, sp, must<string_lit>> {};
struct data_stmt : seq<kw_data, sp, must<data_names>, sp, must<sor<data_value, data_file>>> {};

// param p ~ D(..) | param w[K] ~ D(..) | param mu, s2 ~ D(..)
// param s > 0 | param s < 0 | param q in (lo, hi) | param b
struct param_size : seq<open_bracket, nl, must<expr<true>>, nl, must<close_bracket>> {};
struct param_decl : seq<new_name, opt<param_size>> {};
struct param_decls : list_of<param_decl, name_comma, param_decl> {};
struct lower_bound : seq<op_gt, sp, must<expr<false>>> {};
struct upper_bound : seq<op_lt, sp, must<expr<false>>> {};
struct interval_bounds : seq<kw_in, sp, must<open_paren>, nl, must<expr<true>>, must<comma>,
                             must<expr<true>>, nl, must<close_paren>> {};
// `param p = 0.5` is a mistake with a message of its own (the parser reports
// it, naming the fix), so it is parsed here.
struct param_value : seq<one<'='>, nl, must<expr<false>>> {};
// Bounds first, then the prior: `param s > 0 ~ StudentT(3, 0, 10)`.
// `param mu[K] ordered ~ Normal(0, 2)`: an increasing vector.
struct ordering : sor<kw_ordered, kw_positive_ordered> {};
struct param_stmt
    : seq<kw_param, sp, must<param_decls>, sp, opt<ordering>, sp,
          opt<sor<lower_bound, upper_bound, interval_bounds>>, sp, opt<sor<prior, param_value>>> {};

// let v = EXPR | let v[i] = EXPR (one element, in a loop or outside one)
struct let_index : seq<open_bracket, nl, must<expr<true>>, nl, must<close_bracket>> {};
struct let_stmt
    : seq<kw_let, sp, must<new_name>, opt<let_index>, sp, must<one<'='>>, nl, must<expr<false>>> {};

struct fn_params : opt<list_of<new_name, comma, new_name>> {};
struct fn_stmt : seq<kw_fn, sp, must<new_name>, sp, must<open_paren>, nl, fn_params, nl,
                     must<close_paren>, sp, must<one<'='>>, nl, must<expr<false>>> {};

struct print_stmt : seq<kw_print, sp, must<expr<false>>> {};
struct plot_file : seq<kw_to, sp, must<string_lit>> {};
struct plot_stmt : seq<kw_plot, sp, must<expr<false>>, sp, opt<plot_file>> {};

// EXPR ~ D(...) | EXPR ~ D(...) T[lo, hi], either bound may be left out
struct truncation_lower : expr<true> {};
struct truncation_upper : expr<true> {};
struct truncation
    : seq<one<'T'>, not_at<identifier_other>, sp, must<open_bracket>, nl, opt<truncation_lower>, nl,
          must<comma>, nl, opt<truncation_upper>, nl, must<close_bracket>> {};
struct observe_stmt : seq<expr<false>, sp, must<tilde>, sp, must<dist_call>, sp, opt<truncation>> {
};

// factor EXPR: EXPR added to the log density
struct factor_stmt : seq<kw_factor, sp, must<expr<false>>> {};

struct empty_statement : one<';'> {};

// for i in 1:N { statements }: the body's statements for i = 1, ..., N
struct statement;
struct range_from : expr<false> {};
struct range_to : expr<false> {};
struct range_colon : one<':'> {};
struct block_open : one<'{'> {};
struct block_close : one<'}'> {};
// Inside a block a statement also ends where the block does: { y[i] ~ D(...) }.
struct block_statement_end : sor<one<';'>, eol, at<block_close>> {};
struct block_body : star<nl, sor<empty_statement, seq<statement, sp, must<block_statement_end>>>> {
};
struct for_stmt
    : seq<kw_for, sp, must<new_name>, sp, must<kw_in>, sp, must<range_from>, sp, must<range_colon>,
          sp, must<range_to>, sp, must<block_open>, block_body, nl, must<block_close>> {};

struct statement : sor<data_stmt, param_stmt, let_stmt, fn_stmt, print_stmt, plot_stmt, factor_stmt,
                       for_stmt, observe_stmt> {};
struct statement_end : sor<one<';'>, eol, eof> {};
struct statement_expected : eof {};  // names the error when a line starts no statement
struct program : seq<nl, star<sor<empty_statement, seq<statement, sp, must<statement_end>>>, nl>,
                     must<statement_expected>> {};

}  // namespace bayes::grammar
