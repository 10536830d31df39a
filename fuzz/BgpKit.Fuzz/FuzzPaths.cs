namespace BgpKit.Fuzz;

/// <summary>Finds the repository (for fuzz/regressions) and the shared corpus (for seeds).</summary>
public static class FuzzPaths
{
    /// <summary>The folder holding BgpKit.sln.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "BgpKit.sln")))
                {
                    return dir.FullName;
                }
            }
            return Directory.GetCurrentDirectory();
        }
    }

    /// <summary>shared/corpus beside the clone, or BGPKIT_SHARED/corpus.</summary>
    public static string? Corpus
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("BGPKIT_SHARED");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "corpus")))
            {
                return Path.Combine(env, "corpus");
            }
            for (var dir = new DirectoryInfo(RepoRoot); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "corpus");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
            return null;
        }
    }

    /// <summary>fuzz/corpus/HARNESS: the minimised coverage corpus AFL++ left, replayed by CI.</summary>
    public static string CorpusOf(string harness) => Path.Combine(RepoRoot, "fuzz", "corpus", harness);

    /// <summary>fuzz/regressions/HARNESS: crashers kept as regression inputs.</summary>
    public static string Regressions(string harness) => Path.Combine(RepoRoot, "fuzz", "regressions", harness);
}
