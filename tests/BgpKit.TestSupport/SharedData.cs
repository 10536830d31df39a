namespace BgpKit.TestSupport;

/// <summary>
/// Locates the read-only <c>shared/</c> folder that sits beside the repository
/// (seeds, corpus, INTEROP.md). Tests read the corpus in place; nothing is copied.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The <c>shared/</c> folder (override with BGPKIT_SHARED).</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The <c>shared/corpus</c> folder of third-party captures and MRT dumps.</summary>
    public static string Corpus => Path.Combine(Root, "corpus");

    /// <summary>The <c>shared/seeds</c> folder of MetalLB documents.</summary>
    public static string Seeds => Path.Combine(Root, "seeds");

    /// <summary>The repository root (the folder holding BgpKit.sln).</summary>
    public static string RepoRoot => LazyRepo.Value;

    private static readonly Lazy<string> LazyRepo = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BgpKit.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("BgpKit.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>Full path of a corpus file; fails the test clearly when it is missing.</summary>
    public static string CorpusFile(string name)
    {
        var path = Path.Combine(Corpus, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"corpus file {name} not found under {Corpus}", path);
        }
        return path;
    }

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("BGPKIT_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            return Path.GetFullPath(env);
        }
        // shared/ sits beside the clone: <parent>/<clone>/BgpKit.sln and <parent>/shared.
        for (var dir = new DirectoryInfo(RepoRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "corpus")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("shared/ not found beside " + RepoRoot + " (set BGPKIT_SHARED)");
    }
}
