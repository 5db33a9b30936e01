package dev.valley.worker.science.train;

import dev.valley.model.job.TrainResult.EpochRecord;

import java.util.function.Supplier;

/**
 * A part of a job, as its loops report: what a part calls done ∈ [0, 1] is {@code from + done × share} of the whole
 * job, so each part counts from 0 to 1 and knows nothing of the parts around it. A named part's checkpoints say
 * which part they are from ({@code phase}), so that a resumed attempt knows where to go on.
 */
public final class Progress extends TrainingListener.Forwarding {
    private final double from;
    private final double share;
    private final String part;

    private Progress(TrainingListener job, double from, double share, String part) {
        super(job);
        this.from = from;
        this.share = share;
        this.part = part;
    }

    /** The whole job. */
    public static Progress of(TrainingListener job) {
        return job instanceof Progress progress ? progress : new Progress(job, 0, 1, null);
    }

    /** The part of this one from {@code from} to {@code from + share} (fractions of this one). */
    public Progress slice(double from, double share) {
        return slice(from, share, part);
    }

    /** The same, named {@code part} in its checkpoints. */
    public Progress slice(double from, double share, String part) {
        return new Progress(next, this.from + from * this.share, this.share * share, part);
    }

    /** The job's progress when this part is {@code done}. */
    double at(double done) {
        return from + done * share;
    }

    @Override
    public void onStep(int epoch, int step, double done) {
        next.onStep(epoch, step, at(done));
    }

    /** An epoch of this part: the job hears which part it was from. */
    @Override
    public void onEpoch(EpochRecord record) {
        next.onEpoch(part, record);
    }

    @Override
    public void onEpochFigures(String p, int epoch, Record figures, double done) {
        next.onEpochFigures(p == null ? part : p, epoch, figures, at(done));
    }

    @Override
    public void onEvaluation(double done, String text) {
        next.onEvaluation(at(done), text);
    }

    @Override
    public void onCheckpoint(int epoch, Supplier<Checkpoint> state) {
        next.onCheckpoint(epoch, part == null ? state : () -> state.get().meta("phase", part));
    }
}
