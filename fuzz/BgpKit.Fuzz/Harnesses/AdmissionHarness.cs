using System.Text.Json;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Webhook;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>
/// The validating webhook's AdmissionReview reader, on every path, against a cluster that already holds a
/// pool and a peer: it answers 200 with a response for the request's uid, or 400, and never throws.
/// </summary>
internal sealed class AdmissionHarness : Harness
{
    // Built on first use: under AFL++ the instrumented assemblies may run only inside the fuzz loop.
    private static ResourceSnapshot Cluster() => new("fuzz",
    [
        new ManifestDocument("IPAddressPool/metallb-system/pool-a",
            """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"pool-a","namespace":"metallb-system"},"spec":{"addresses":["192.0.2.0/28"]}}"""),
        new ManifestDocument("BGPPeer/metallb-system/tor",
            """{"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"tor","namespace":"metallb-system"},"spec":{"myASN":64512,"peerASN":64513,"peerAddress":"192.0.2.254"}}"""),
    ], []);

    private readonly Lazy<AdmissionWebhook> _webhook = new(() =>
    {
        var cluster = Cluster();
        return new AdmissionWebhook("metallb-system", () => cluster);
    });

    public override string Name => "admission";

    public override IReadOnlyList<byte[]> SyntheticSeeds() => Harnesses.SyntheticSeeds.AdmissionReviews().ToList();

    public override long AllocationBound(int inputLength) => (4L << 20) + 4096L * inputLength;

    public override void Execute(byte[] input)
    {
        foreach (var path in AdmissionWebhook.Paths.Keys)
        {
            var (status, body) = _webhook.Value.Handle(path, input);
            JsonNode? answer;
            try
            {
                answer = JsonNode.Parse(body);
            }
            catch (JsonException e)
            {
                throw new FuzzPropertyException($"{path}: the answer is not JSON: {e.Message}");
            }
            if (status == 400)
            {
                continue;
            }
            if (status != 200)
            {
                throw new FuzzPropertyException($"{path}: status {status}");
            }
            if (answer?["response"]?["uid"] is null || answer["response"]?["allowed"] is null)
            {
                throw new FuzzPropertyException($"{path}: a 200 answer without response.uid and response.allowed");
            }
        }
    }
}
