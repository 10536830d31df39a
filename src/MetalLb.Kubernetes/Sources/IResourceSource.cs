namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// Where the speaker's resources come from: a manifest directory today, the Kubernetes API server
/// (list, then watch from the listed resourceVersion, relist on 410 Gone) through the same loop.
/// </summary>
internal interface IResourceSource
{
    /// <summary>A description for logs and <c>show config</c>.</summary>
    string Description { get; }

    /// <summary>
    /// Yields the first complete snapshot as soon as it is read, then a new one each time the
    /// resources change (never two equal snapshots in a row), until <paramref name="cancellationToken"/> fires.
    /// </summary>
    IAsyncEnumerable<ResourceSnapshot> WatchAsync(CancellationToken cancellationToken);
}
