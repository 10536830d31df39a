using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

public sealed class ManifestDirectorySourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-src-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Reads_yaml_and_json_recursively_in_order_skipping_dot_entries_and_other_files()
    {
        Write("b.yaml", "b");
        Write("a.yml", "a");
        Write("sub/c.json", "c");
        Write("notes.txt", "x");
        Write(".swp.yaml", "x");
        Write("..data/d.yaml", "x");

        var snapshot = new ManifestDirectorySource([_dir], new ManualTimeProvider(), NullLogger.Instance).Read();

        Assert.Equal(["a.yml", "b.yaml", Path.Combine("sub", "c.json")], snapshot.Documents.Select(d => Path.GetRelativePath(_dir, d.Origin)));
        Assert.Empty(snapshot.Failures);
    }

    [Fact]
    public void Missing_path_is_a_read_failure_and_fingerprint_follows_content()
    {
        var file = Write("a.yaml", "one");
        var source = new ManifestDirectorySource([file, Path.Combine(_dir, "missing.yaml")], new ManualTimeProvider(), NullLogger.Instance);

        var first = source.Read();
        Assert.Equal("no such file or directory", Assert.Single(first.Failures).Message);
        Assert.Equal(first.Fingerprint, source.Read().Fingerprint);
        File.WriteAllText(file, "two");
        Assert.NotEqual(first.Fingerprint, source.Read().Fingerprint);
    }

    [Fact]
    public async Task Watch_yields_first_snapshot_then_a_change_found_by_the_periodic_rescan()
    {
        var file = Write("a.yaml", "one");
        var time = new ManualTimeProvider();
        var source = new ManifestDirectorySource([_dir], time, NullLogger.Instance)
        {
            RescanInterval = TimeSpan.FromSeconds(10),
            Debounce = TimeSpan.FromMilliseconds(300),
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var snapshots = source.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.True(await snapshots.MoveNextAsync());
        Assert.Equal("one", Assert.Single(snapshots.Current.Documents).Text);

        File.WriteAllText(file, "two");
        var next = snapshots.MoveNextAsync().AsTask();
        // The rescan timer or the watcher wakes the loop; either way it then waits out the debounce.
        // Advance fake time in small steps until the new snapshot arrives (bounded).
        for (var i = 0; i < 2000 && !next.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
            if (!next.IsCompleted)
            {
                await Task.WhenAny(next, Task.Delay(5));
            }
        }
        Assert.True(await next);
        Assert.Equal("two", Assert.Single(snapshots.Current.Documents).Text);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Unchanged_rescans_yield_nothing()
    {
        Write("a.yaml", "one");
        var time = new ManualTimeProvider();
        var source = new ManifestDirectorySource([_dir], time, NullLogger.Instance) { RescanInterval = TimeSpan.FromSeconds(1) };
        using var cts = new CancellationTokenSource();
        await using var snapshots = source.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await snapshots.MoveNextAsync());

        var next = snapshots.MoveNextAsync().AsTask();
        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(next, Task.Delay(2));
        }
        Assert.False(next.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }
}
