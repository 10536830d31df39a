namespace BgpKit.Fuzz;

/// <summary>
/// Mutation fuzzer entry point: <c>dotnet run -c Release --project fuzz/BgpKit.Fuzz -- HARNESS|all [--seconds N]</c>.
/// </summary>
public static class Program
{
    /// <summary>Runs the named harness (or all) and returns non-zero when a property failed.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("no fuzz harnesses yet");
        return 0;
    }
}
