namespace BgpKit.TestSupport;

/// <summary>
/// A lock held across test processes on this machine, for resources that exist once per network
/// namespace (FRR bfdd binds 0.0.0.0:3784; only one may run at a time). Dispose to release.
/// </summary>
public sealed class MachineLock : IDisposable
{
    private readonly FileStream _stream;

    private MachineLock(FileStream stream) => _stream = stream;

    /// <summary>Waits (polling, up to <paramref name="timeout"/>) until the named lock is ours.</summary>
    public static MachineLock Acquire(string name, TimeSpan? timeout = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bgpkit-test-{name}.lock");
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(5));
        while (true)
        {
            try
            {
                return new MachineLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
