// The `.model` language for CodeMirror 6: a StreamLanguage (a line-by-line
// tokenizer) for highlighting, with the comment token and a completion source
// of the language's words. The grammar itself is docs/language.md.

import { StreamLanguage, HighlightStyle } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

// Keywords (docs/language.md, "Programs, lines and comments", and the
// statements table). `inf` is a number; `T` is a keyword only in `T[lo, hi]`.
export const keywords = [
  'data', 'param', 'let', 'fn', 'print', 'plot', 'for', 'in', 'from', 'to',
  'factor', 'ordered', 'positive_ordered',
];

// The distribution families (docs/language.md, "Distributions").
export const distributions = [
  'Normal', 'StudentT', 'Cauchy', 'Laplace', 'Gumbel', 'LogNormal', 'Gamma',
  'InverseGamma', 'Exponential', 'Weibull', 'HalfNormal', 'HalfCauchy', 'Beta',
  'Uniform', 'Pareto', 'Bernoulli', 'Binomial', 'Poisson', 'Geometric',
  'NegativeBinomial', 'DiscreteUniform', 'Categorical', 'Multinomial',
  'Dirichlet', 'MultiNormal', 'MarkovChain', 'NormalInverseGamma',
];

// Queries and built-in functions, highlighted as standard names.
export const builtins = [
  // queries
  'posterior', 'map', 'mle', 'mean', 'sd', 'interval', 'quantile', 'prob',
  'predictive', 'evidence',
  // built-in functions
  'exp', 'log', 'log1p', 'expm1', 'sqrt', 'square', 'abs', 'lgamma', 'logistic',
  'logit', 'floor', 'ceil', 'round', 'pow', 'hypot', 'softmax', 'log_softmax',
  'cumsum', 'sum', 'prod', 'variance', 'length', 'log_sum_exp', 'min', 'max',
  'dot', 'columns', 'rows', 'rep', 'seq', 'cov_exp_quad', 'diag', 'cholesky',
  'lpdf', 'lcdf', 'lccdf',
  // the prelude (stdlib/prelude.model)
  'inv_logit', 'log_inv_logit', 'inv', 'odds', 'log2', 'log10', 'center',
  'standardize', 'sum_squares', 'variance_pop', 'softplus', 'sigmoid', 'ones',
  'zeros',
];

const keywordSet = new Set(keywords);
const distributionSet = new Set(distributions);
const builtinSet = new Set(builtins);
// Statements whose next name is the one they define.
const definers = new Set(['data', 'param', 'let', 'fn', 'for']);

const modelParser = {
  name: 'bayes-model',

  // last: the previous significant token ('name', ')', a keyword, ...), used
  // for `T[` after a distribution and for the names a statement defines.
  startState: () => ({ last: null, defining: false }),
  copyState: (s) => ({ ...s }),

  token(stream, state) {
    if (stream.sol()) state.defining = false;
    if (stream.eatSpace()) return null;

    // A comment runs to the end of the line.
    if (stream.peek() === '#') {
      stream.skipToEnd();
      return 'comment';
    }

    // Strings: "..." with the escapes \" \\ \n \t (file names only).
    if (stream.eat('"')) {
      let escaped = false;
      let ch;
      while ((ch = stream.next()) != null) {
        if (ch === '"' && !escaped) break;
        escaped = !escaped && ch === '\\';
      }
      state.last = 'string';
      return 'string';
    }

    // Numbers: 3, -2.5 (the sign is an operator), .5, 1e-3.
    if (stream.match(/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/)) {
      state.last = 'number';
      return 'number';
    }

    // Names: keywords, distributions, built-ins, definitions, the rest.
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
    if (word) {
      const name = word[0];
      const prev = state.last;
      state.last = name;
      if (name === 'inf') return 'number';
      if (name === 'pi' || name === 'e') return 'atom';
      // Truncation: `T[lo, hi]` right after a likelihood's closing `)`.
      if (name === 'T' && prev === ')' && stream.peek() === '[') return 'keyword';
      if (keywordSet.has(name)) {
        if (definers.has(name)) state.defining = true;
        return 'keyword';
      }
      if (distributionSet.has(name)) return 'typeName';
      // Any other capitalised name called like a function is a family.
      if (/^[A-Z]/.test(name) && stream.match(/^\s*\(/, false)) return 'typeName';
      if (state.defining) {
        // `data a, b from ...` and `param mu, s2 ~ ...` define every name
        // before the `=`, `~`, `from` or bound; `fn f(x)` only `f`.
        if (prev === 'fn') state.defining = false;
        return 'variableName.definition';
      }
      if (builtinSet.has(name) && stream.match(/^\s*\(/, false)) return 'variableName.standard';
      return 'variableName';
    }

    // Operators and punctuation.
    const ch = stream.next();
    state.last = ch;
    if (ch === '~') {
      state.defining = false;
      return 'operator.special';
    }
    if ('=<>'.includes(ch)) {
      stream.eat('=');
      // `param s > 0`: the bound ends the names being defined.
      state.defining = false;
      return 'operator';
    }
    if (ch === '&' || ch === '|') {
      stream.eat(ch);
      return 'operator';
    }
    if (ch === '!') {
      stream.eat('=');
      return 'operator';
    }
    if (ch === '.' && stream.eat('*')) return 'operator';
    if ('+-*/^:'.includes(ch)) return 'operator';
    if (ch === ';') {
      state.defining = false;
      return 'punctuation';
    }
    if ('()[]{}'.includes(ch)) {
      if (ch === '(' || ch === '{') state.defining = false;
      return 'bracket';
    }
    if (ch === ',') return 'punctuation';
    return null;
  },

  languageData: {
    commentTokens: { line: '#' },
    closeBrackets: { brackets: ['(', '[', '{', '"'] },
  },
};

export const modelLanguage = StreamLanguage.define(modelParser);

// Completion of the language's words (keywords, families, queries and
// functions) and of the names the document defines.
const wordOptions = [
  ...keywords.map((label) => ({ label, type: 'keyword' })),
  ...distributions.map((label) => ({ label, type: 'class', detail: 'distribution' })),
  ...builtins.map((label) => ({ label, type: 'function' })),
];

export function modelCompletions(context) {
  const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  // Inside a comment or string: no completion.
  const line = context.state.doc.lineAt(context.pos);
  const before = line.text.slice(0, context.pos - line.from);
  if (before.includes('#') || (before.split('"').length - 1) % 2 === 1) return null;
  const defined = new Set();
  const text = context.state.doc.toString();
  for (const m of text.matchAll(/\b(?:data|param|let|fn)\s+([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)/g))
    for (const n of m[1].split(',')) defined.add(n.trim());
  const names = [...defined]
    .filter((n) => n && !keywordSet.has(n))
    .map((label) => ({ label, type: 'variable' }));
  return { from: word.from, options: [...names, ...wordOptions], validFor: /^[A-Za-z0-9_]*$/ };
}

export const modelCompletionData = modelLanguage.data.of({ autocomplete: modelCompletions });

// Colours for the light theme (also in style.css's palette).
export const modelHighlight = HighlightStyle.define([
  { tag: t.comment, color: '#6a737d', fontStyle: 'italic' },
  { tag: t.string, color: '#0a7d3b' },
  { tag: t.number, color: '#b45309' },
  { tag: t.atom, color: '#b45309' },
  { tag: t.keyword, color: '#7c3aed', fontWeight: '600' },
  { tag: t.typeName, color: '#0b63c4', fontWeight: '600' },
  { tag: t.standard(t.variableName), color: '#0e7490' },
  { tag: t.definition(t.variableName), color: '#1f2937', fontWeight: '600' },
  { tag: t.special(t.operator), color: '#c2410c', fontWeight: '700' },
  { tag: t.operator, color: '#9a3412' },
]);
