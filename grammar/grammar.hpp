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
struct keyword
    : sor<kw_data, kw_param, kw_let, kw_print, kw_plot, kw_fn, kw_from, kw_to, kw_in, kw_inf> {};

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

// ---------------------------------------------------------------- expressions

template <bool NL>
struct expr;

struct close_paren : one<')'> {};
struct close_bracket : one<']'> {};

// Arguments: empty or a comma list; newlines allowed anywhere inside.
struct arg_list : opt<list<expr<true>, comma>> {};
struct call : seq<identifier, sp, one<'('>, nl, arg_list, nl, must<close_paren>> {};
struct paren : seq<one<'('>, nl, must<expr<true>>, nl, must<close_paren>> {};
struct vector_lit : seq<one<'['>, nl, opt<list<expr<true>, comma>>, nl, must<close_bracket>> {};
struct name : identifier {};
struct primary : sor<number, string_lit, call, name, paren, vector_lit> {};

// v[i], v[idx], m[i, j]
struct index_suffix : seq<one<'['>, nl, must<list<expr<true>, comma>>, nl, must<close_bracket>> {};
struct postfix : seq<primary, star<index_suffix>> {};

struct op_neg : one<'-'> {};
struct op_not : seq<one<'!'>, not_at<one<'='>>> {};
struct op_pos : one<'+'> {};
struct op_pow : one<'^'> {};
struct op_mul : one<'*'> {};
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
struct product : left_assoc<NL, sor<op_mul, op_div>, unary<NL>> {};
template <bool NL>
struct sum : left_assoc<NL, sor<op_add, op_sub>, product<NL>> {};
// Comparisons do not chain: a < b < c is an error.
template <bool NL>
struct comparison
    : seq<sum<NL>, opt<ws<NL>, sor<op_le, op_ge, op_eq, op_ne, op_lt, op_gt>, nl, must<sum<NL>>>> {
};
template <bool NL>
struct conjunction : left_assoc<NL, op_and, comparison<NL>> {};
template <bool NL>
struct disjunction : left_assoc<NL, op_or, conjunction<NL>> {};
template <bool NL>
struct expr : seq<disjunction<NL>> {};

// ---------------------------------------------------------------- statements

struct tilde : one<'~'> {};
struct dist_call : seq<identifier, sp, must<one<'('>>, nl, arg_list, nl, must<close_paren>> {};
struct prior : seq<tilde, sp, must<dist_call>> {};

// data x = EXPR | data a, b from "file.csv"
struct data_names : list<identifier, seq<sp, one<','>, sp>> {};
struct data_value : seq<one<'='>, nl, must<expr<false>>> {};
struct data_file : seq<kw_from, sp, must<string_lit>> {};
struct data_stmt : seq<kw_data, sp, must<data_names>, sp, must<sor<data_value, data_file>>> {};

// param p ~ D(..) | param w[K] ~ D(..) | param mu, s2 ~ D(..)
// param s > 0 | param s < 0 | param q in (lo, hi) | param b
struct param_size : seq<one<'['>, nl, must<expr<true>>, nl, must<close_bracket>> {};
struct param_decl : seq<identifier, opt<param_size>> {};
struct param_decls : list<param_decl, seq<sp, one<','>, sp>> {};
struct lower_bound : seq<op_gt, sp, must<expr<false>>> {};
struct upper_bound : seq<op_lt, sp, must<expr<false>>> {};
struct interval_bounds
    : seq<kw_in, sp, must<one<'('>>, nl, must<expr<true>>, must<comma>, must<expr<true>>, nl,
          must<close_paren>> {};
struct param_stmt : seq<kw_param, sp, must<param_decls>, sp,
                        opt<sor<prior, lower_bound, upper_bound, interval_bounds>>> {};

struct let_stmt
    : seq<kw_let, sp, must<identifier>, sp, must<one<'='>>, nl, must<expr<false>>> {};

struct fn_params : opt<list<identifier, comma>> {};
struct fn_stmt : seq<kw_fn, sp, must<identifier>, sp, must<one<'('>>, nl, fn_params, nl,
                     must<close_paren>, sp, must<one<'='>>, nl, must<expr<false>>> {};

struct print_stmt : seq<kw_print, sp, must<expr<false>>> {};
struct plot_file : seq<kw_to, sp, must<string_lit>> {};
struct plot_stmt : seq<kw_plot, sp, must<expr<false>>, sp, opt<plot_file>> {};

// EXPR ~ D(...)
struct observe_stmt : seq<expr<false>, sp, must<tilde>, sp, must<dist_call>> {};

struct statement
    : sor<data_stmt, param_stmt, let_stmt, fn_stmt, print_stmt, plot_stmt, observe_stmt> {};
struct statement_end : sor<one<';'>, eol, eof> {};
struct empty_statement : one<';'> {};
struct statement_expected : eof {};  // names the error when a line starts no statement
struct program
    : seq<nl, star<sor<empty_statement, seq<statement, sp, must<statement_end>>>, nl>,
          must<statement_expected>> {};

}  // namespace bayes::grammar
