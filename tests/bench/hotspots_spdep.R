# The reference for tests/bench/hotspots.sh: Gi* with FDR in R spdep on the cells GeoTwin answered.
# Usage: Rscript hotspots_spdep.R cells.csv band.txt
#   cells.csv: x, y (metres, GeoTwin's local frame), count, and GeoTwin's neighbours, z, p, q to compare with.
# Weights as GeoTwin's Gi*: binary within the band, the cell itself included (include.self), a neighbour at the
# band counted. GeoTwin counts a squared distance within 1e-12 (relative) of the band's square as on it, because
# hexagon centres come from sqrt(3) arithmetic and a band of k spacings would otherwise lose cells k spacings away
# by one ulp; R gets the same rule as an upper bound of band * sqrt(1 + 1e-12). The card() check below verifies
# that both saw the same neighbours.
started <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(spdep))
args <- commandArgs(trailingOnly = TRUE)
cells <- read.csv(args[1])
band <- as.numeric(readLines(args[2]))
loaded <- proc.time()[["elapsed"]]
coords <- cbind(cells$x, cells$y)
nb <- include.self(dnearneigh(coords, 0, band * sqrt(1 + 1e-12)))
z <- as.numeric(localG(cells$count, nb2listw(nb, style = "B")))
p <- 2 * pnorm(-abs(z))
q <- p.adjust(p, method = "BH")
done <- proc.time()[["elapsed"]]
same_neighbours <- all(card(nb) == cells$neighbours)
bins <- function(z, q) sign(z) * ifelse(q <= 0.01, 3, ifelse(q <= 0.05, 2, ifelse(q <= 0.10, 1, 0)))
cat(sprintf("r_compute_ms=%.1f r_load_ms=%.1f cells=%d band=%.6f same_neighbours=%s max_abs_z_diff=%.3g max_abs_q_diff=%.3g bin_mismatches=%d hot=%d cold=%d\n",
            (done - loaded) * 1000, (loaded - started) * 1000, nrow(cells), band, same_neighbours,
            max(abs(z - cells$z)), max(abs(q - cells$q)), sum(bins(z, q) != bins(cells$z, cells$q)),
            sum(bins(z, q) > 0), sum(bins(z, q) < 0)))
