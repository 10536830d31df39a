using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Reconcile;

public sealed class ModelPlanCompilerTests
{
    private static ResourceSnapshot Read(params string[] paths) =>
        new ManifestDirectorySource(paths, new ManualTimeProvider(), NullLogger.Instance).Read();

    private static ResourceSnapshot Text(string text) => new("test", [new ManifestDocument("test.yaml", text)], []);

    [Fact]
    public void Quickstart_manifests_plan_two_routes_with_the_community_to_the_router()
    {
        var outcome = new ModelPlanCompiler("quickstart-node").Compile(Read(Path.Combine(SharedData.RepoRoot, "samples", "quickstart", "manifests")));

        Assert.True(outcome.Valid, string.Join("\n", outcome.Errors.Select(e => e.Message)));
        var peer = Assert.Single(outcome.Intent!.Peers.Values);
        Assert.Equal("router", peer.Name);
        Assert.Equal(1790, peer.Port);
        Assert.Equal(64512u, peer.PeerAsn);
        Assert.Equal(TimeSpan.FromSeconds(9), peer.HoldTime);
        Assert.Equal(
            ["198.51.100.1/32 64512:100", "198.51.100.2/32 64512:100"],
            outcome.Intent.RoutesOf("router").Select(r => $"{r.Prefix} {string.Join(',', r.Communities.Select(RouteIntent.FormatCommunity))}"));
        Assert.All(outcome.Services, s => Assert.True(s.Announced, s.Reason));
    }

    [Theory]
    [InlineData("127.0.0.2", "", "IPv4/Unicast")]
    [InlineData("2001:db8::2", "", "IPv6/Unicast")]
    [InlineData("127.0.0.2", "  dualStackAddressFamily: true", "IPv4/Unicast IPv6/Unicast")]
    [InlineData("127.0.0.2", "  disableMP: true", "IPv4/Unicast")]
    public void A_session_offers_its_peers_family_only_unless_dualStackAddressFamily(string address, string extra, string families)
    {
        var outcome = new ModelPlanCompiler("n").Compile(Text($$"""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata:
              name: tor
              namespace: metallb-system
            spec:
              myASN: 64513
              peerASN: 64512
              peerAddress: "{{address}}"
            {{extra}}
            ---
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: dual, namespace: metallb-system}
            spec: {addresses: [198.51.100.0/28, "2001:db8:5::/124"]}
            ---
            apiVersion: metallb.io/v1beta1
            kind: BGPAdvertisement
            metadata: {name: all, namespace: metallb-system}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6], ports: [{port: 80}]}
            """));

        Assert.True(outcome.Valid, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        var peer = Assert.Single(outcome.Intent!.Peers);
        var options = BgpKit.MetalLb.Kubernetes.Speaker.SpeakerBackend.PeerOptions(peer.Value);
        Assert.Equal(families, string.Join(" ", options.Families));
        // The routes follow the OPEN: an IPv4 peer gets no IPv6 prefix unless it is dual stack.
        var routeFamilies = outcome.Intent.RoutesOf("tor").Select(r => r.Prefix.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6/Unicast" : "IPv4/Unicast").Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(families, string.Join(" ", routeFamilies));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void EnableGracefulRestart_gives_the_session_the_restarting_side_with_the_R_bit_only_after_a_restart(bool enabled, bool restarted)
    {
        var outcome = new ModelPlanCompiler("n").Compile(Text($$"""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata: {name: tor, namespace: metallb-system}
            spec: {myASN: 64513, peerASN: 64512, peerAddress: 127.0.0.2, enableGracefulRestart: {{(enabled ? "true" : "false")}}}
            """));
        Assert.True(outcome.Valid, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        var peer = Assert.Single(outcome.Intent!.Peers).Value;
        Assert.Equal(enabled, peer.GracefulRestart);

        var options = BgpKit.MetalLb.Kubernetes.Speaker.SpeakerBackend.PeerOptions(peer, restarted);
        Assert.True(options.GracefulRestart); // the helper side, as FRR's default, whatever the field says
        if (!enabled)
        {
            Assert.Null(options.RestartingSpeaker);
            return;
        }
        Assert.Equal(TimeSpan.FromSeconds(120), options.RestartingSpeaker!.RestartTime); // FRR's default; MetalLB sets none
        Assert.Null(options.RestartingSpeaker.ForwardingStateFamilies); // preserve-fw-state: every family
        Assert.Equal(restarted, options.RestartingSpeaker.Restarting);
    }

    [Fact]
    public void Invalid_manifest_gives_no_intent_and_located_errors()
    {
        var outcome = new ModelPlanCompiler("n").Compile(Text("""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata:
              name: bad
              namespace: metallb-system
            spec:
              peerASN: 64512
              peerAddress: 127.0.0.2
            """));

        Assert.False(outcome.Valid);
        var error = Assert.Single(outcome.Errors, e => e.Name == "bad");
        Assert.Equal("test.yaml", error.File);
        Assert.Equal("BGPPeer", error.Kind);
    }

    [Fact]
    public void Password_reaches_the_intent_but_not_its_text()
    {
        var outcome = new ModelPlanCompiler("n").Compile(Text("""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata:
              name: secure
              namespace: metallb-system
            spec:
              myASN: 64513
              peerASN: 64512
              peerAddress: 127.0.0.2
              password: hunter2
            """));

        var peer = Assert.Single(outcome.Intent!.Peers.Values);
        Assert.Equal("hunter2", peer.Password);
        Assert.DoesNotContain("hunter2", peer.ToString());
    }

    [Fact]
    public void Adding_a_service_never_moves_another_ones_address()
    {
        const string Config = """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: { name: pool, namespace: metallb-system }
            spec: { addresses: [10.0.0.0/28], avoidBuggyIPs: true }
            ---
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata: { name: r1, namespace: metallb-system }
            spec: { myASN: 64513, peerASN: 64512, peerAddress: 127.0.0.2 }
            ---
            apiVersion: metallb.io/v1beta1
            kind: BGPAdvertisement
            metadata: { name: all, namespace: metallb-system }
            spec: {}
            """;
        static string Service(string name) => $"\n---\napiVersion: v1\nkind: Service\nmetadata: {{ name: {name}, namespace: default }}\nspec: {{ type: LoadBalancer, ports: [{{ port: 80 }}] }}\n";
        var compiler = new ModelPlanCompiler("n");

        var before = compiler.Compile(Text(Config + Service("web")));
        var after = compiler.Compile(Text(Config + Service("aaa") + Service("web")));

        Assert.True(after.Valid, string.Join("\n", after.Errors.Select(e => e.Message)));
        Assert.Equal(before.Services.Single(s => s.Name == "web").Addresses, after.Services.Single(s => s.Name == "web").Addresses);
        var diff = IntentDiff.Between(before.Intent!, after.Intent!);
        Assert.Empty(diff.RoutesWithdrawn);
        Assert.Single(diff.RoutesAnnounced);
    }

    [Theory]
    [InlineData("64512:100", 64512u * 65536 + 100)]
    [InlineData("65535:65281", 0xFFFFFF01u)]
    public void Communities_parse_from_the_model_text(string text, uint expected) =>
        Assert.Equal(expected, ModelPlanCompiler.ParseCommunity(text));
}
