// tests/BgpKit.Benchmarks/Mrt measures the decode writers (record -> JSON) in-process; kept out of the
// project file, which the start-up work owns.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("BgpKit.Benchmarks")]
