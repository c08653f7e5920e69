namespace StemGen.Torch.Optim;

/// <summary>Learning-rate schedules as plain functions of the step (0-based).</summary>
public static class LearningRateSchedules
{
    public static Func<long, double> Constant(double learningRate) => _ => learningRate;

    /// <summary>
    /// Tri-stage (the paper's section 3): linear warm-up from initialScale * peak to peak, hold
    /// at peak, then exponential decay to finalScale * peak over decaySteps, constant afterwards.
    /// </summary>
    public static Func<long, double> TriStage(double peak, long warmupSteps, long holdSteps, long decaySteps,
        double initialScale = 0.01, double finalScale = 0.01)
    {
        if (warmupSteps < 0 || holdSteps < 0 || decaySteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), "stage lengths must be non-negative");
        if (initialScale <= 0 || finalScale <= 0) throw new ArgumentOutOfRangeException(nameof(finalScale), "scales must be positive");
        var initial = peak * initialScale;
        var final = peak * finalScale;
        var decayRate = decaySteps > 0 ? -Math.Log(finalScale) / decaySteps : 0;
        return step =>
        {
            if (step < warmupSteps) return initial + (peak - initial) * step / warmupSteps;
            step -= warmupSteps;
            if (step < holdSteps) return peak;
            step -= holdSteps;
            return step < decaySteps ? peak * Math.Exp(-decayRate * step) : final;
        };
    }

    /// <summary>Linear warm-up then cosine decay to minimum at totalSteps.</summary>
    public static Func<long, double> WarmupCosine(double peak, long warmupSteps, long totalSteps, double minimum = 0)
    {
        if (totalSteps <= warmupSteps) throw new ArgumentOutOfRangeException(nameof(totalSteps), "total steps must exceed warm-up steps");
        return step =>
        {
            if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
            var progress = Math.Min(1.0, (double)(step - warmupSteps) / (totalSteps - warmupSteps));
            return minimum + 0.5 * (peak - minimum) * (1 + Math.Cos(Math.PI * progress));
        };
    }
}
