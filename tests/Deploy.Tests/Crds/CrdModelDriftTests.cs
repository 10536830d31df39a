using BgpKit.MetalLb.Model.Reading;

namespace BgpKit.Deploy.Tests.Crds;

/// <summary>
/// One source of truth: MetalLb.Model's table of upstream fields (<c>UpstreamFields</c>, which the strict
/// reader consults for every field of an object read from an API server) and the CRDs shipped in
/// deploy/ list the same fields, kind by kind, with the same defaults. A field added to either alone
/// fails here until the other follows.
/// </summary>
public class CrdModelDriftTests
{
    // The version each table describes: BGPPeer's is the stored v1beta2 (a superset of v1beta1).
    private static readonly Dictionary<string, string> Versions = new()
    {
        ["BGPPeer"] = "metallb.io/v1beta2",
        ["IPAddressPool"] = "metallb.io/v1beta1",
        ["BGPAdvertisement"] = "metallb.io/v1beta1",
        ["L2Advertisement"] = "metallb.io/v1beta1",
        ["Community"] = "metallb.io/v1beta1",
        ["BFDProfile"] = "metallb.io/v1beta1",
        ["FRRConfiguration"] = "frrk8s.metallb.io/v1beta1",
    };

    public static TheoryData<string> Kinds => new(UpstreamFields.Kinds);

    private static Dictionary<string, string?> CrdSpecFields(string kind)
    {
        var schema = CrdSet.Get(Versions[kind], kind).OpenApi;
        return SchemaFields.Walk(schema, "").Where(f => f.Path == "spec" || f.Path.StartsWith("spec.", StringComparison.Ordinal))
            .ToDictionary(f => f.Path, f => SchemaFields.Default(f.Schema), StringComparer.Ordinal);
    }

    [Fact]
    public void Every_kind_the_reader_reads_has_its_CRD()
    {
        Assert.Equal(Versions.Keys.Order(), UpstreamFields.Kinds.Order());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_CRD_and_the_reader_list_the_same_fields(string kind)
    {
        var crd = CrdSpecFields(kind).Keys.ToHashSet();
        var table = UpstreamFields.Of(kind).Select(f => f.Path).ToHashSet();
        var onlyCrd = crd.Except(table).Order().ToList();
        var onlyTable = table.Except(crd).Order().ToList();
        Assert.True(onlyCrd.Count == 0 && onlyTable.Count == 0,
            $"{kind}: in the CRD but not in UpstreamFields: [{string.Join(", ", onlyCrd)}]; in UpstreamFields but not in the CRD: [{string.Join(", ", onlyTable)}]");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_schema_default_is_the_readers_default(string kind)
    {
        foreach (var (path, schemaDefault) in CrdSpecFields(kind).Where(f => f.Value is not null))
        {
            var field = UpstreamFields.Find(kind, path);
            Assert.True(field?.Default == schemaDefault, $"{kind} {path}: the CRD defaults to {schemaDefault}, UpstreamFields to {field?.Default ?? "nothing"}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_non_zero_reader_default_is_the_schemas_or_applied_by_MetalLB_itself(string kind)
    {
        // BFD profiles have no schema defaults upstream: MetalLB (and FRR) apply 300/300/3/50/254 when a field is absent.
        string[] appliedByMetalLb = ["receiveInterval", "transmitInterval", "detectMultiplier", "echoInterval", "minimumTtl"];
        var crd = CrdSpecFields(kind);
        foreach (var field in UpstreamFields.Of(kind).Where(f => f.Default is { } d && d is not ("" or "[]" or "false" or "0")))
        {
            // frr-k8s likewise has no schema default for a neighbor's port and writes 179 itself.
            if (appliedByMetalLb.Contains(field.Path.Split('.')[^1]) && (kind == "BFDProfile" || field.Path.StartsWith("spec.bgp.bfdProfiles", StringComparison.Ordinal))
                || kind == "FRRConfiguration" && field.Path == "spec.bgp.routers.neighbors.port")
            {
                Assert.Null(crd.GetValueOrDefault(field.Path));
                continue;
            }
            Assert.True(crd.GetValueOrDefault(field.Path) == field.Default, $"{kind} {field.Path}: UpstreamFields says {field.Default}, the CRD {crd.GetValueOrDefault(field.Path) ?? "nothing"}");
        }
    }

    [Fact]
    public void BGPPeer_v1beta1_is_v1beta2_less_the_newer_fields()
    {
        var v1 = SchemaFields.Walk(CrdSet.Get("metallb.io/v1beta1", "BGPPeer").OpenApi, "").Select(f => f.Path).Where(p => p.StartsWith("spec.", StringComparison.Ordinal)).ToHashSet();
        var v2 = CrdSpecFields("BGPPeer").Keys.ToHashSet();
        Assert.Subset(v2, v1);
    }
}
