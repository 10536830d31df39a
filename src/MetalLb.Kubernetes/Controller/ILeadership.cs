namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// Whether this controller replica may write now. The controller asks it before every write, so a
/// replica that lost the lease (or was frozen past it) writes nothing; tests drive it by hand.
/// </summary>
internal interface ILeadership
{
    /// <summary>This replica's identity (the Lease's <c>holderIdentity</c> while it leads).</summary>
    string Identity { get; }

    /// <summary>The leader last observed (null before the Lease was first read).</summary>
    string? Leader { get; }

    /// <summary>True while this replica leads and its last successful renewal was sent recently enough that no other replica can have taken over.</summary>
    bool MayWrite { get; }

    /// <summary>Raised when this replica starts or stops leading.</summary>
    event Action? Changed;

    /// <summary>Campaigns for the lease and renews it until <paramref name="cancellationToken"/> fires.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Gives the lease up (if held) so another replica takes over at once.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}
