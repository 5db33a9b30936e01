package dev.valley.model.job;

import java.util.List;

/**
 * What a finished hessian job reports.
 *
 * @param eigenvalues the largest-magnitude eigenvalues of the Hessian, in the order found (the first is the
 *     sharpness); a negative one is a direction of negative curvature
 * @param iterations the Hessian-vector products power iteration took for each
 * @param converged whether each met the tolerance before {@code maxIterations}
 * @param residuals ‖Hv − λv‖ for each unit eigenvector v at the end: how far it is from an exact eigenpair
 * @param trace tr H (null unless asked for)
 * @param traceMethod hutchinson (the mean of zᵀHz over Rademacher vectors z) or exact (Σ eᵢᵀHeᵢ over every
 *     parameter), null without a trace
 * @param traceStandardError the Hutchinson estimate's standard error (the probes' standard deviation over √probes);
 *     0 for an exact trace
 * @param probes the vectors the trace took (the parameter count for an exact trace)
 * @param loss the mean training loss over the examples, at the network
 * @param gradientNorm ‖∇L‖ there: near 0 at a minimum, where the Hessian describes the basin
 * @param examples the training examples the loss is taken over
 * @param parameters the network's parameter count, the Hessian's side
 * @param batchNorm eval (running statistics, PyHessian's default) for a network with batch norm; none without
 * @param products the Hessian-vector products computed, all told
 * @param secondsPerProduct the mean time of one product over all the examples
 */
public record HessianResult(List<Double> eigenvalues, List<Integer> iterations, List<Boolean> converged,
        List<Double> residuals, Double trace, String traceMethod, Double traceStandardError, Integer probes,
        double loss, double gradientNorm, int examples, long parameters, String batchNorm, int products,
        double secondsPerProduct, String device, double seconds) {
}
