namespace TypedSocketIo.Compare;

/// <summary>One scenario's result for one peer in one round.</summary>
/// <param name="Value">The scenario's figure (its unit is the scenario's).</param>
/// <param name="ServerLoad">Server CPU time over wall time (1 = its core saturated).</param>
/// <param name="GeneratorLoad">Generator CPU time over wall time (1 = its core saturated).</param>
/// <param name="Detail">What else the run saw (throughput, counts).</param>
internal sealed record Measurement(double Value, double ServerLoad, double GeneratorLoad, string Detail)
{
    /// <summary>The generator was the bottleneck: its core nearly saturated while the server's was not.</summary>
    public bool GeneratorBound => GeneratorLoad >= 0.9 && ServerLoad < 0.9;

    /// <summary>
    /// Neither side was the bottleneck: the server's core was under half busy and the generator's
    /// was not saturated, so something else (other processes on the machine) held them back.
    /// CPU per operation stays comparable; rates do not.
    /// </summary>
    public bool Contended => ServerLoad < 0.5 && !GeneratorBound;
}
