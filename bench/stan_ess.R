# stan_ess.R: Stan's side of bench/sampling.sh. For each model NAME given on
# the command line, samples tests/fixtures/sampling/NAME.stan with rstan
# under the settings bayes uses by default (4 chains run 2 at a time, 1000
# warm-up + 1000 draws each, adapt_delta 0.8, diagonal metric) and prints one
# line: NAME, the wall-clock seconds of the sampling call (compilation
# excluded, R's start-up of the chains' processes included), the smallest
# bulk ESS over the parameters (posterior's ess_bulk), and the chains' own
# time (warm-up and sampling, as Stan reports it) summed and divided by the
# two cores: Stan's time with no process start-up at all. The data are
# make_stan_references.R's.
#
#   Rscript bench/stan_ess.R hospitals logistic ...   (from the repository root)
suppressPackageStartupMessages({
  library(rstan)
  library(posterior)
})
names <- commandArgs(trailingOnly = TRUE)
DEFINE_MODELS_ONLY <- TRUE
here <- normalizePath("tests/fixtures/sampling")
env <- environment()
local({
  commandArgs <- function(trailingOnly = FALSE) if (trailingOnly) character(0) else
    paste0("--file=", file.path(here, "make_stan_references.R"))
  source(file.path(here, "make_stan_references.R"), local = TRUE)
  assign("models", models, envir = env)
})
for (name in names) {
  m <- models[[name]]()
  sm <- suppressMessages(stan_model(file.path(here, paste0(name, ".stan")), model_name = name))
  wall <- system.time(
    fit <- sampling(sm, data = m$data, chains = 4, iter = 2000, warmup = 1000, seed = 1,
                    cores = 2, refresh = 0, control = list(adapt_delta = 0.8))
  )[["elapsed"]]
  draws <- as_draws_array(as.array(fit, pars = m$params))
  ess <- min(sapply(variables(draws), function(v) ess_bulk(extract_variable_matrix(draws, v))))
  chains <- sum(get_elapsed_time(fit)) / 2
  cat(sprintf("%s %.3f %.1f %.3f\n", name, wall, ess, chains))
}
