namespace BgpKit.Fuzz;

/// <summary>
/// One fuzz entry point: its seeds and the properties it checks on any input. A harness throws
/// <see cref="FuzzPropertyException"/> when a property fails; any other exception that escapes is a
/// crash. Typed decode errors are the expected outcome for most mutated inputs.
/// </summary>
public abstract class Harness
{
    /// <summary>The name used on the command line, under fuzz/corpus/ and under fuzz/regressions/.</summary>
    public abstract string Name { get; }

    /// <summary>Seed inputs for the built-in mutator, from the shared corpus when there is one.</summary>
    public virtual IReadOnlyList<byte[]> LoadSeeds(string? corpus) => SyntheticSeeds();

    /// <summary>Small hand-built seeds (fuzz/corpus/NAME starts from these): no file from outside the repository.</summary>
    public abstract IReadOnlyList<byte[]> SyntheticSeeds();

    /// <summary>Runs one input and checks the harness's properties.</summary>
    public abstract void Execute(byte[] input);

    /// <summary>
    /// How many octets one input may make the harness allocate: a fixed allowance for the decoder's own
    /// state plus a multiple of the input length. A length field that makes a decoder reserve what the input
    /// does not hold shows up here.
    /// </summary>
    public virtual long AllocationBound(int inputLength) => (1L << 20) + 256L * inputLength;

    /// <summary>
    /// <see cref="Execute"/> plus the allocation bound, measured on this thread. Call <see cref="Warm"/>
    /// first: static constructors and first-call caches are not the input's doing.
    /// </summary>
    public void Check(byte[] input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Execute(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var bound = AllocationBound(input.Length);
        if (allocated > bound)
        {
            throw new FuzzPropertyException($"allocated {allocated} octets for a {input.Length}-octet input (bound {bound})");
        }
    }

    /// <summary>Runs every synthetic seed once, unchecked, so that one-time initialisation is paid before measuring.</summary>
    public void Warm()
    {
        foreach (var seed in SyntheticSeeds())
        {
            try
            {
                Execute(seed);
            }
            catch (FuzzPropertyException)
            {
            }
        }
    }

    /// <summary>All harnesses, in the order <c>all</c> runs them.</summary>
    public static IReadOnlyList<Harness> All { get; } =
    [
        new Harnesses.FramingHarness(),
        new Harnesses.UpdateHarness(),
        new Harnesses.OpenHarness(),
        new Harnesses.NotificationHarness(),
        new Harnesses.MrtHarness(),
        new Harnesses.BfdHarness(),
        new Harnesses.PcapHarness(),
        new Harnesses.ManifestHarness(),
        new Harnesses.AdmissionHarness(),
        new Harnesses.Layer2Harness(),
    ];
}

/// <summary>A property the harness checks did not hold (not a crash of the decoder itself).</summary>
public sealed class FuzzPropertyException(string message) : Exception(message);
