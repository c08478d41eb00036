# benchmarks/estimator.R -- the R side of the estimator benchmark.
#
#   Rscript benchmarks/estimator.R DATA.csv MARGINS.csv [--reader=fread|read.csv]
#
# Times, in R with Lumley's survey package, the same work as benchmarks/estimator.py
# on the same file:
#   read      the respondent file and the margins (data.table::fread when the
#             data.table package is installed -- what an R statistician would use for
#             a 1,000,000-row file -- otherwise utils::read.csv; --reader= forces one)
#   design    svydesign(ids=~psu, strata=~stratum, weights=~weight, nest=TRUE)
#   estimate  svyciprop(~meets, method="logit") (estimate, linearised SE, CI)
#             + svymean(~meets, deff=TRUE) (design effect)
#   domains   svyby(~meets, ~domain, design, svyciprop, method="logit", vartype=c("se","ci"))
#   rake      rake() to every margin in MARGINS.csv (columns variable,level,population_total),
#             converged to 1e-10 of the weight total
# Informational lines go to stderr; the last line of stdout is one JSON object:
#   {"read_s":..,"design_s":..,"estimate_s":..,"domains_s":..,"rake_s":..,"total_s":..}
# total_s is the wall time from the first line of this script (loading the survey
# package included) to the end; only R's own start-up (~0.1-0.2 s) is outside it.
t_start <- proc.time()[["elapsed"]]

args <- commandArgs(trailingOnly = TRUE)
reader_opt <- sub("^--reader=", "", grep("^--reader=", args, value = TRUE))
args <- grep("^--", args, value = TRUE, invert = TRUE)
if (length(args) != 2) {
  cat("usage: Rscript benchmarks/estimator.R DATA.csv MARGINS.csv [--reader=fread|read.csv]\n", file = stderr())
  quit(status = 2)
}
data_file <- args[1]
margins_file <- args[2]

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "adjust")   # the benchmark file should have none; never fail on one

have_dt <- requireNamespace("data.table", quietly = TRUE)
reader <- if (length(reader_opt)) reader_opt else if (have_dt) "fread" else "read.csv"
if (reader == "fread" && !have_dt) stop("data.table is not installed")

lap <- function() {
  now <- proc.time()[["elapsed"]]
  d <- now - .last
  .last <<- now
  d
}
.last <- proc.time()[["elapsed"]]

# --- read -------------------------------------------------------------------
if (reader == "fread") {
  df <- data.table::fread(data_file, data.table = FALSE, showProgress = FALSE)
} else {
  df <- utils::read.csv(data_file, stringsAsFactors = FALSE)
}
margins <- utils::read.csv(margins_file, stringsAsFactors = FALSE, colClasses = c(level = "character"))
read_s <- lap()

# --- design -----------------------------------------------------------------
design <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = df)
design_s <- lap()

# --- estimate + linearised SE (+ CI, deff) ------------------------------------
est <- svyciprop(~meets, design, method = "logit")
dm <- svymean(~meets, design, deff = TRUE)
estimate_s <- lap()

# --- domains ------------------------------------------------------------------
dom <- svyby(~meets, ~domain, design, svyciprop, method = "logit", vartype = c("se", "ci"))
domains_s <- lap()

# --- raking to the margins ------------------------------------------------------
vars <- unique(margins$variable)
for (v in vars) design$variables[[v]] <- as.character(design$variables[[v]])   # levels matched as text
pops <- lapply(vars, function(v) {
  x <- margins[margins$variable == v, ]
  p <- data.frame(x$level, Freq = x$population_total, stringsAsFactors = FALSE)
  names(p)[1] <- v
  p
})
raked <- rake(design, lapply(vars, function(v) as.formula(paste0("~`", v, "`"))), pops,
              control = list(maxit = 100, epsilon = 1e-10))
rake_s <- lap()

total_s <- proc.time()[["elapsed"]] - t_start

msg <- function(...) cat(..., "\n", sep = "", file = stderr())
msg(sprintf("R %s, survey %s, reader %s, %d rows, %d strata, %d PSUs, degf %d",
            paste(R.version$major, R.version$minor, sep = "."), packageVersion("survey"),
            if (reader == "fread") "data.table::fread" else "utils::read.csv",
            nrow(df), length(unique(df$stratum)), length(unique(paste(df$stratum, df$psu))), degf(design)))
ci <- confint(est)
msg(sprintf("meets: %.6f  se %.6f  CI [%.6f, %.6f]  deff %.4f", coef(est), SE(est), ci[1], ci[2], deff(dm)))
msg(sprintf("domains: %s", paste(sprintf("%s=%.4f", dom$domain, dom$meets), collapse = " ")))
msg(sprintf("raked population: %.1f", sum(weights(raked))))

fmt <- function(x) sprintf("%.4f", x)
cat(sprintf('{"read_s": %s, "design_s": %s, "estimate_s": %s, "domains_s": %s, "rake_s": %s, "total_s": %s}\n',
            fmt(read_s), fmt(design_s), fmt(estimate_s), fmt(domains_s), fmt(rake_s), fmt(total_s)))
