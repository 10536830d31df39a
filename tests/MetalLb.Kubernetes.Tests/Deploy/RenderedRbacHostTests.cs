using System.Collections.Concurrent;
using BgpKit.Deploy.Tests;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.Deploy;

/// <summary>
/// The real controller and speaker, each with its own service account token, against the fake API
/// server enforcing the RBAC of deploy/bgpkit.yaml: every request they make is inside their rules
/// (none is answered 403), and what the controller must write gets written.
/// </summary>
public sealed class RenderedRbacHostTests : IDisposable
{
    private const string ControllerUser = "system:serviceaccount:metallb-system:bgpkit-controller";
    private const string SpeakerUser = "system:serviceaccount:metallb-system:bgpkit-speaker";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly FakeApiServer _server = new();
    private readonly DirectoryInfo _tokens = Directory.CreateTempSubdirectory("bgpkit-rbac-");
    private readonly ConcurrentQueue<AuthorizationRequest> _allowed = new(), _denied = new();

    public RenderedRbacHostTests()
    {
        var rbac = new RbacAuthorizer(YamlJson.Objects(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "deploy", "bgpkit.yaml"))));
        _server.RequestAuthorizer = request =>
        {
            var allowed = rbac.Allows(request);
            (allowed ? _allowed : _denied).Enqueue(request);
            return allowed;
        };
        _server.TokenUsers["controller-token"] = ControllerUser;
        _server.TokenUsers["speaker-token"] = SpeakerUser;
        File.WriteAllText(Path.Combine(_tokens.FullName, "controller"), "controller-token");
        File.WriteAllText(Path.Combine(_tokens.FullName, "speaker"), "speaker-token");
        ApiObjects.Seed(_server);
    }

    public void Dispose()
    {
        _server.Dispose();
        _tokens.Delete(recursive: true);
    }

    private KubernetesApiOptions Api(string role) => new() { Server = _server.Url, TokenFile = Path.Combine(_tokens.FullName, role) };

    private string Denials => string.Join("\n", _denied);

    [Fact]
    public async Task The_controller_allocates_and_writes_within_its_role()
    {
        await using var host = new ControllerHost(new ControllerHostOptions
        {
            KubernetesApi = Api("controller"),
            Identity = "controller-0",
            LeaderElection = new LeaderElectionTiming { LeaseDuration = TimeSpan.FromSeconds(3), RenewDeadline = TimeSpan.FromSeconds(2), RetryPeriod = TimeSpan.FromMilliseconds(500) },
            MetricsEndPoint = null,
        });
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(stop.Token);
        try
        {
            await Poll.UntilAsync(() => _server.Ingress("default", "web").Length == 1 || !_denied.IsEmpty, "the web service's address", Bound);
            await Poll.UntilAsync(() => _server.Get("metallb.io/v1beta1", "configurationstates", "metallb-system", "controller") is not null || !_denied.IsEmpty, "the ConfigurationState", Bound);
            await Poll.UntilAsync(() => _server.Get("metallb.io/v1beta1", "ipaddresspools", "metallb-system", "pool")?["status"] is not null || !_denied.IsEmpty, "the pool's status", Bound);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
        Assert.True(_denied.IsEmpty, "forbidden:\n" + Denials);
        Assert.Single(_server.Ingress("default", "web"));
        Assert.All(_allowed, r => Assert.Equal(ControllerUser, r.User));
        // It did go through the rules: the Lease, Services status, Events.
        Assert.Contains(_allowed, r => r is { Resource: "leases", Verb: "update" or "create" });
        Assert.Contains(_allowed, r => r is { Resource: "services", Subresource: "status", Verb: "patch" });
        Assert.Contains(_allowed, r => r is { Resource: "events", Verb: "create" });
    }

    [Fact]
    public async Task The_speaker_reads_everything_it_plans_from_within_its_role()
    {
        _server.Put(ApiObjects.Service("announced", ingress: "198.51.100.1"));
        await using var host = new SpeakerHost(new SpeakerHostOptions
        {
            Node = "node-1",
            KubernetesApi = Api("speaker"),
            BgpListen = null,
            StatusEndPoint = null,
        });
        using var stop = new CancellationTokenSource(Bound);
        var running = host.RunAsync(stop.Token);
        try
        {
            await Poll.UntilAsync(() => host.Status.Config().InForce is not null || !_denied.IsEmpty, "the speaker's first configuration", Bound);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
        Assert.True(_denied.IsEmpty, "forbidden:\n" + Denials);
        Assert.Equal("198.51.100.1/32", Assert.Single(host.Status.Config().InForce!.Announcements).Prefix);
        Assert.All(_allowed, r => Assert.Equal(SpeakerUser, r.User));
        Assert.Contains(_allowed, r => r is { Resource: "secrets", Verb: "list", Namespace: "metallb-system" });
    }
}
