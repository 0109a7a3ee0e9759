package exercise

import "os"

// ReadPlanFile reads and checks the exercise plan in the file name (see
// ReadPlan): what "art35 exercise open" sends.
func ReadPlanFile(name string) (Announcement, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return Announcement{}, err
	}
	return ReadPlan(data)
}

// ReadScriptFile reads and checks the script in the file name (see
// ParseScript): what "art35 exercise play" plays.
func ReadScriptFile(name string) (*Script, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return ParseScript(data)
}
