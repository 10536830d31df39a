using Microsoft.Extensions.Options;

namespace BgpKit.Bgp.Hosting;

/// <summary>Checks <see cref="BfdSettings"/> when the host starts, with BgpKit.Bfd's own profile rules (MetalLB's ranges).</summary>
internal sealed class BfdSettingsValidator : IValidateOptions<BfdSettings>
{
    public ValidateOptionsResult Validate(string? name, BfdSettings options)
    {
        try
        {
            options.ToProfile().Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentOutOfRangeException e)
        {
            return ValidateOptionsResult.Fail($"{e.ParamName} {e.ActualValue} is not allowed: {e.Message.Split(" (Parameter", 2)[0]}");
        }
    }
}
