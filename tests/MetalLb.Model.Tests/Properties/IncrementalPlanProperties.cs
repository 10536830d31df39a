using BgpKit.MetalLb.Model.Planning;
using BgpKit.MetalLb.Model.Validation;
using FsCheck;
using FsCheck.Fluent;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Properties;

/// <summary>
/// The speaker's incremental path (ConfigurationState.UpsertServices and RemoveService, which reuse the
/// node plans' unchanged routes and redo only the prefixes that changed) against a fresh full plan of
/// the same services holding the same addresses, after every step of a random sequence.
/// </summary>
public class IncrementalPlanProperties
{
    private static readonly Config Replay = Config.QuickThrowOnFailure.WithReplay(20261121UL, 11UL).WithMaxTest(80);

    private static Arbitrary<(int Cluster, int Steps)> Cases =>
        Gen.Choose(0, int.MaxValue / 2).Zip(Gen.Choose(0, int.MaxValue / 2)).ToArbitrary();

    [Fact]
    public void Random_upserts_and_removes_give_the_plans_of_a_fresh_full_plan()
    {
        Check.One(Replay, Prop.ForAll(Cases, seeds =>
        {
            var documents = PlanningProperties.RandomDocuments(seeds.Cluster);
            var services = documents.Where(d => Parse(d).Services.Count == 1).ToList();
            var others = documents.Except(services).ToList();
            var speaker = new ConfigurationState();
            if (!speaker.Apply(Parse(Join([.. documents]))).Applied || services.Count == 0)
            {
                return true;
            }
            var present = services.ToHashSet();
            var random = new Random(seeds.Steps);
            for (int step = 0; step < 16; step++)
            {
                var earlier = speaker.InForce!.Nodes.Select(n => (Plan: n, Text: n.Announcements.Select(PlanningProperties.Text).ToList())).ToList();
                var document = services[random.Next(services.Count)];
                var service = Parse(document).Services.Single();
                if (present.Contains(document) && random.Next(2) == 0)
                {
                    speaker.RemoveService(service.Meta.Namespace, service.Meta.Name);
                    present.Remove(document);
                }
                else
                {
                    Assert.Single(speaker.UpsertServices(Parse(document)));
                    present.Add(document);
                }
                // Plans handed out before stay as they were: the host diffs them against the new ones.
                foreach (var (plan, text) in earlier)
                {
                    Assert.Equal(text, plan.Announcements.Select(PlanningProperties.Text));
                }
                AssertSameAsFresh(speaker.InForce!, [.. others, .. services.Where(present.Contains)]);
            }
            return true;
        }));
    }

    /// <summary>A full plan of the same manifests, each service holding the address the speaker gave it.</summary>
    private static void AssertSameAsFresh(ClusterPlan incremental, string[] documents)
    {
        var held = incremental.Services.Where(s => s.Addresses.Count > 0)
            .ToDictionary(s => $"{s.Namespace}/{s.Name}", s => s.Addresses, StringComparer.Ordinal);
        var fresh = PlanState.Build(ConfigValidator.Validate(Parse(Join(documents))), previous: held);
        var plan = fresh.ToPlan();
        Assert.Equal(
            plan.Services.Select(s => $"{s.Namespace}/{s.Name} {string.Join(",", s.Addresses)}"),
            incremental.Services.Select(s => $"{s.Namespace}/{s.Name} {string.Join(",", s.Addresses)}"));
        Assert.Equal(plan.Nodes.Select(n => n.Name), incremental.Nodes.Select(n => n.Name));
        foreach (var (expected, actual) in plan.Nodes.Zip(incremental.Nodes))
        {
            Assert.Equal(expected.Announcements.Select(PlanningProperties.Text), actual.Announcements.Select(PlanningProperties.Text));
            Assert.Equal(PlanningProperties.Reference(fresh, actual.Name), actual.Announcements.Select(PlanningProperties.Text));
        }
    }
}
