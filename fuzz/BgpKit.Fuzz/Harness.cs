namespace BgpKit.Fuzz;

/// <summary>
/// One fuzz entry point: its seeds (taken from the corpus) and the property it checks on any input. A
/// harness throws <see cref="FuzzPropertyException"/> when a property fails; any other exception that
/// escapes is a crash. Typed decode errors are the expected outcome for most mutated inputs.
/// </summary>
public abstract class Harness
{
    /// <summary>The name used on the command line and under fuzz/regressions/.</summary>
    public abstract string Name { get; }

    /// <summary>Seed inputs; the mutator starts from these.</summary>
    public abstract IReadOnlyList<byte[]> LoadSeeds(string? corpus);

    /// <summary>Runs one input and checks the harness's properties.</summary>
    public abstract void Execute(byte[] input);

    /// <summary>All harnesses, in the order <c>all</c> runs them.</summary>
    public static IReadOnlyList<Harness> All { get; } =
    [
        new Harnesses.FramingHarness(),
        new Harnesses.UpdateHarness(),
        new Harnesses.OpenHarness(),
        new Harnesses.MrtHarness(),
        new Harnesses.BfdHarness(),
    ];
}

/// <summary>A property the harness checks did not hold (not a crash of the decoder itself).</summary>
public sealed class FuzzPropertyException(string message) : Exception(message);
